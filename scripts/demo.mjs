#!/usr/bin/env node
/**
 * `npm run demo`: deploys examples/demo to ./demo-target/app twice, with no server and no key.
 *
 * It runs the bundled action (dist/index.js) exactly as the GitHub runner does: a node process with the inputs as
 * INPUT_<NAME> variables (upper-cased, hyphens kept, defaults from action.yml) and the runner's files
 * (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY) under demo-target/.runner/. The config it writes uses the
 * `local` host: the same remote scripts, run by bash on this machine instead of over SSH.
 *
 *   node scripts/demo.mjs           deploy twice more (earlier demo releases stay; keep_releases trims them)
 *   node scripts/demo.mjs --clean   remove demo-target/ first
 *
 * Node built-ins only.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = join(ROOT, 'demo-target');
const RUNNER = join(TARGET, '.runner');
const APP = join(TARGET, 'app');
const CONFIG = join(RUNNER, 'deploy.yml');
const DIST = join(ROOT, 'dist', 'index.js');
const SOURCE = 'examples/demo';
const ENVIRONMENT = 'demo';
/** Set in the action's environment and referenced as `${DEMO_SECRET}` in the config: watch it turn into ***. */
const DEMO_SECRET = 'demo-app-key-3f9c1e7a';
const FALLBACK_SHA = '0123456789abcdef0123456789abcdef01234567';

const rel = (p) => relative(ROOT, p) || '.';
const say = (text = '') => process.stdout.write(`${text}\n`);
const tty = process.stdout.isTTY && !process.env.NO_COLOR; // no-color.org
const bold = (text) => (tty ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text) => (tty ? `\x1b[2m${text}\x1b[0m` : text);
const heading = (text) => say(`\n${bold(`== ${text}`)}`);

function usage() {
  say('usage: node scripts/demo.mjs [--clean]');
  say('  Deploys examples/demo to ./demo-target/app twice by running dist/index.js as the GitHub runner would.');
  say('  --clean  remove demo-target/ first (otherwise earlier demo releases stay, and keep_releases trims them)');
}

/** The action's inputs and their defaults, read from action.yml (a plain line scan: no YAML library). */
function actionInputs() {
  const inputs = {};
  let inInputs = false;
  let current;
  for (const line of readFileSync(join(ROOT, 'action.yml'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) {
      inInputs = /^inputs:\s*$/.test(line);
      current = undefined;
      continue;
    }
    if (!inInputs) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (name) {
      current = name[1];
      inputs[current] = '';
      continue;
    }
    const def = /^ {4}default:\s*(.*?)\s*$/.exec(line);
    if (def && current) inputs[current] = def[1].replace(/^"(.*)"$|^'(.*)'$/, (_, a, b) => a ?? b);
  }
  return inputs;
}

function git(...args) {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** A YAML single-quoted scalar. */
const sq = (s) => `'${s.replace(/'/g, "''")}'`;

function writeConfig() {
  const lines = [
    '# Written by scripts/demo.mjs (npm run demo). The demo app, deployed to this machine: the host `local` runs the',
    '# same scripts as an SSH host would, with bash instead of ssh. See examples/demo/deploy.yml for a config for',
    '# real servers, and docs/config.md for every key.',
    'name: demo',
    'environments:',
    `  ${ENVIRONMENT}:`,
    '    hosts: [local]',
    `    deploy_path: ${JSON.stringify(APP)}`,
    '    url: https://demo.example.com/',
    '    keep_releases: 3',
    '    exclude: [tests, deploy.yml]',
    '    shared_dirs: [storage]',
    '    shared_files: [.env]',
    '    writable_dirs: [storage/logs]',
    '    writable_mode: chmod',
    '    writable_chmod_mode: "0775"',
    '    env:',
    "      # From the step's environment; the action masks the value in the log.",
    '      APP_KEY: ${DEMO_SECRET}',
    '    # On the runner, in a temporary copy of examples/demo (the source itself is never changed).',
    '    build:',
    `      - ${sq('printf \'built %s from %s\\n\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$GITHUB_SHA" > BUILD_INFO')}`,
    `      - ${sq('echo "building with APP_KEY=$APP_KEY"')}`,
    '    # On the host, inside the new release, before `current` is switched to it.',
    '    deploy:',
    `      - ${sq('test -f VERSION && echo "release $DEPLOY_RELEASE ready" > .ready')}`,
    `      - ${sq('echo "hook in releases/$DEPLOY_RELEASE; current -> $(readlink "$DEPLOY_PATH/current" || echo nothing) until every host is ready"')}`,
    '',
  ];
  writeFileSync(CONFIG, lines.join('\n'));
}

/** Runner files for one run: created empty, as the runner does (@actions/core refuses missing files). */
function runnerFiles(n) {
  const dir = join(RUNNER, `run-${n}`);
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const files = {
    dir,
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    temp: join(dir, 'temp'),
  };
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '');
  return files;
}

/** The process environment the runner gives a `node24` action step. */
function actionEnv(files, sha) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(INPUT_|STATE_|GITHUB_)/.test(k)) env[k] = v;
  const given = { config: rel(CONFIG), environment: ENVIRONMENT, source: SOURCE };
  // The runner passes every input, with its default when the workflow does not set it; names keep their hyphens.
  for (const [name, value] of Object.entries({ ...actionInputs(), ...given })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const branch = git('symbolic-ref', '-q', 'HEAD');
  Object.assign(env, {
    GITHUB_WORKSPACE: ROOT,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_SHA: sha,
    ...(branch ? { GITHUB_REF: branch } : {}),
    GITHUB_ACTOR: process.env.USER || userInfo().username,
    RUNNER_TEMP: files.temp,
    DEMO_SECRET,
  });
  return env;
}

/**
 * What the runner does with a step's output, in short: `::add-mask::` registers a value that is shown as ***
 * from then on, `::group::` folds, `::warning::`/`::error::` become annotations.
 */
function runnerLog() {
  const masks = [];
  const mask = (text) => masks.reduce((t, m) => t.split(m).join('***'), text);
  const unescapeValue = (s) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return (line) => {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (!command) return say(`  │ ${mask(line)}`);
    const [, name, value] = command;
    if (name === 'add-mask') {
      const secret = unescapeValue(value);
      if (!secret || masks.includes(secret)) return;
      masks.push(secret);
      masks.sort((a, b) => b.length - a.length);
      return say(`  │ ${dim('[runner: ::add-mask:: received; that value prints as *** from here on]')}`);
    }
    if (name === 'group') return say(`  │ ▸ ${mask(unescapeValue(value))}`);
    if (name === 'endgroup' || name === 'debug') return;
    if (name === 'warning' || name === 'error' || name === 'notice')
      return say(`  │ ${name}: ${mask(unescapeValue(value))}`);
    say(`  │ ${mask(line)}`);
  };
}

/** Runs dist/index.js once with `env`; each output line goes to `log`. Resolves with the exit status. */
function spawnAction(env, log) {
  const child = spawn(process.execPath, [DIST], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      lines.forEach(log);
    });
    stream.on('end', () => buffered && log(buffered));
  }
  // Ctrl-C reaches the action too (same process group): let it undo its work, then stop.
  const ignore = () => undefined;
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      done({ code: code ?? 1, signal });
    });
  });
}

/**
 * One workflow run of the action: the main step, then (as the runner does for `runs.post`, `post-if: always()`)
 * the post step, given the main step's saved state as STATE_* variables. The post step only acts when the main
 * step could not confirm that every host cleaned up.
 */
async function runAction(n, sha) {
  const files = runnerFiles(n);
  const env = actionEnv(files, sha);
  const log = runnerLog();
  const main = await spawnAction(env, log);
  const postEnv = { ...env };
  for (const [name, value] of Object.entries(parseOutputs(readOr(files.state)))) postEnv[`STATE_${name}`] = value;
  say(`  ${dim('-- post step (runs.post, with the state the main step saved) --')}`);
  let lines = 0;
  const post = await spawnAction(postEnv, (line) => {
    lines++;
    log(line);
  });
  if (lines === 0) say(`  │ ${dim('(nothing to finish: the main step confirmed the clean-up on every host)')}`);
  const failed = main.code !== 0 ? main : post;
  return { code: failed.code, signal: failed.signal, files };
}

/** Reads a GITHUB_OUTPUT file: `name<<DELIM`, value lines, `DELIM` (and the older `name=value`). */
function parseOutputs(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const end = lines.indexOf(m[2], i + 1);
      out[m[1]] = lines.slice(i + 1, end < 0 ? undefined : end).join('\n');
      if (end < 0) break;
      i = end;
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}

/**
 * A tree of `dir`: symlinks shown as `name -> target` (not followed); directories below `depth`, and those `fold`
 * says so of, are folded.
 */
function tree(dir, depth, fold = () => false, prefix = '') {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  names.forEach((name, i) => {
    const last = i === names.length - 1;
    const path = join(dir, name);
    const st = lstatSync(path);
    let label = name;
    if (st.isSymbolicLink()) label = `${name} -> ${readlinkSync(path)}`;
    else if (st.isDirectory()) label = `${name}/${(depth <= 1 || fold(path)) && readdirSync(path).length ? ' …' : ''}`;
    else if (st.size === 0) label = `${name} (empty)`;
    say(`${prefix}${last ? '└── ' : '├── '}${label}`);
    if (st.isDirectory() && !st.isSymbolicLink() && depth > 1 && !fold(path)) {
      tree(path, depth - 1, fold, `${prefix}${last ? '    ' : '│   '}`);
    }
  });
}

function readOr(path, fallback = '') {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function printHistory() {
  const lines = readOr(join(APP, '.deploy', 'history.jsonl'))
    .split('\n')
    .filter(Boolean);
  say(`${rel(join(APP, '.deploy', 'history.jsonl'))} (last ${Math.min(lines.length, 6)} of ${lines.length} lines):`);
  for (const line of lines.slice(-6)) {
    try {
      const e = JSON.parse(line);
      say(`  ${String(e.event).padEnd(7)} ${e.release}  previous: ${e.previous || '(none)'}  at ${e.at}`);
    } catch {
      say(`  ${line}`);
    }
  }
}

/**
 * The CLI commands the demo suggests, exactly as printed (a test runs them from the repository root): the demo's
 * config is not the default deploy.yml, and a rollback runs hooks, so it needs `${DEMO_SECRET}` set.
 */
function terminalCommands() {
  const config = `--config ${rel(CONFIG)}`;
  return [
    `npx deploy-action releases ${ENVIRONMENT} ${config}`,
    `DEMO_SECRET=${DEMO_SECRET} npx deploy-action rollback ${ENVIRONMENT} ${config}`,
  ];
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    usage();
    return 0;
  }
  const unknown = args.filter((a) => a !== '--clean');
  if (unknown.length) {
    usage();
    return 2;
  }
  if (args.includes('--clean')) rmSync(TARGET, { recursive: true, force: true });

  if (!existsSync(DIST)) {
    heading('dist/index.js is missing: npm run build');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0 || !existsSync(DIST)) {
      say('the build failed; run `npm ci` first');
      return 1;
    }
  }

  rmSync(RUNNER, { recursive: true, force: true });
  mkdirSync(RUNNER, { recursive: true });
  writeConfig();
  const head = git('rev-parse', 'HEAD');
  const sha = /^[0-9a-f]{40}$/.test(head) ? head : FALLBACK_SHA;

  say(`Deploying ${SOURCE} to ${rel(APP)} twice, as a GitHub runner would run this action:`);
  say(`  node dist/index.js  with INPUT_CONFIG=${rel(CONFIG)} INPUT_ENVIRONMENT=${ENVIRONMENT} INPUT_SOURCE=${SOURCE}`);
  say(
    `  GITHUB_SHA=${sha}${sha === FALLBACK_SHA ? ' (not a git checkout: a demo value)' : ''}, DEMO_SECRET=<set, referenced as \${DEMO_SECRET}>`,
  );

  const runs = [];
  for (const n of [1, 2]) {
    if (n === 2) await new Promise((r) => setTimeout(r, 1100)); // release names are UTC timestamps, to the second
    heading(`Deploy ${n} of 2`);
    const started = Date.now();
    const run = await runAction(n, sha);
    runs.push(run);
    const took = ((Date.now() - started) / 1000).toFixed(1);
    if (run.code !== 0) {
      heading(`Deploy ${n} failed (exit code ${run.code}${run.signal ? `, ${run.signal}` : ''}) after ${took} s`);
      say(`The job summary says what failed and what was left as it was: ${rel(run.files.summary)}`);
      say(`The config used: ${rel(CONFIG)}`);
      if (existsSync(join(APP, '.deploy', 'lock'))) {
        say(
          `A deploy lock is held in ${rel(join(APP, '.deploy', 'lock'))} (info.json says by whom). When no deploy is running,`,
        );
        say(`remove that directory, or start over with \`npm run demo -- --clean\`.`);
      }
      return 1;
    }
    say(`  deploy ${n} succeeded in ${took} s`);
  }

  heading(`The deploy path: ${rel(APP)}`);
  say(`${rel(APP)}/`);
  let live = '';
  try {
    live = join(APP, readlinkSync(join(APP, 'current')));
  } catch {
    // no current link: nothing is live
  }
  tree(APP, 3, (path) => dirname(path) === join(APP, 'releases') && path !== live);
  say(dim('(releases other than the live one folded)'));

  heading("Outputs (parsed from each run's GITHUB_OUTPUT file)");
  runs.forEach((run, i) => {
    say(`deploy ${i + 1} (${rel(run.files.output)}):`);
    for (const [name, value] of Object.entries(parseOutputs(readOr(run.files.output))))
      say(`  ${name.padEnd(16)} ${value || '(empty)'}`);
  });

  heading('History');
  printHistory();

  heading('Look at');
  const ready = readOr(join(APP, 'current', '.ready'), '(missing)');
  say(
    `  ${rel(runs[1].files.summary).padEnd(38)} the job summary GitHub would show (Markdown); deploy 1's is in ${rel(runs[0].files.summary)}`,
  );
  say(`  ${`${rel(APP)}/current/.ready`.padEnd(38)} "${ready}": written by the deploy hook before the switch`);
  say(
    `  ${`${rel(APP)}/current/BUILD_INFO`.padEnd(38)} written by the build hook on the "runner"; REVISION holds the commit`,
  );
  say(`  ${`${rel(APP)}/shared/`.padEnd(38)} storage/ and .env outlive releases (each release links to them)`);
  say(`  ${rel(CONFIG).padEnd(38)} the config these deploys used (examples/demo/deploy.yml is the SSH version)`);

  heading('From a terminal');
  say('The same engine as a command-line program, run from the repository root (docs/cli.md):');
  for (const command of terminalCommands()) say(`  ${command}`);
  say('');
  say('Run `npm run demo` again to add two more releases (keep_releases: 3 removes the oldest), or');
  say('`npm run demo -- --clean` to start over.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
