import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dirs.js';

/** The repository root: the nearest directory above this file holding action.yml (also when compiled elsewhere). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'action.yml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('action.yml not found above the test support files');
    dir = up;
  }
  return dir;
}

/** The bundled action, run the way the GitHub runner runs it. */
export const DIST = join(repoRoot(), 'dist/index.js');

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The runner files of this run (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY). */
  files: RunnerFiles;
}

export interface RunnerFiles {
  dir: string;
  output: string;
  state: string;
  summary: string;
}

export function runnerFiles(): RunnerFiles {
  const dir = tempDir('da-runner-');
  const files = { dir, output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary') };
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '');
  return files;
}

/** Reads a `name<<DELIM\nvalue\nDELIM` file (GITHUB_OUTPUT, GITHUB_STATE). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const end = lines.indexOf(m[2]!, i + 1);
      out[m[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      out[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return out;
}

export interface StartOptions {
  inputs: Record<string, string>;
  workspace: string;
  env?: Record<string, string>;
  files?: RunnerFiles;
  /** Set for the post step: the state the main step saved, as STATE_* variables. */
  state?: Record<string, string>;
  /** Run as from a terminal rather than on a runner: no GITHUB_STEP_SUMMARY in the environment. */
  noStepSummary?: boolean;
  /** Another build of the action to run instead of this repository's dist/index.js (the A/B benchmark). */
  dist?: string;
}

export interface RunningAction {
  child: ChildProcess;
  files: RunnerFiles;
  /** Resolves when the output so far contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<ActionResult>;
}

/** Starts dist/index.js with INPUT_* variables (names upper-cased, hyphens kept) and the runner's files. */
export function startAction(opts: StartOptions): RunningAction {
  const files = opts.files ?? runnerFiles();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    RUNNER_TEMP: files.dir,
    ...opts.env,
  };
  if (opts.noStepSummary) delete env['GITHUB_STEP_SUMMARY'];
  for (const [name, value] of Object.entries(opts.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
  const child = spawn(process.execPath, [opts.dist ?? DIST], {
    cwd: opts.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { test: string | RegExp; resolve(): void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (typeof w.test === 'string' ? stdout.includes(w.test) : w.test.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ActionResult>((resolveDone) => {
    child.on('close', (code, signal) =>
      resolveDone({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
        state: parseFileCommands(readFileSync(files.state, 'utf8')),
        summary: readFileSync(files.summary, 'utf8'),
        files,
      }),
    );
  });
  return {
    child,
    files,
    done,
    waitFor(test, timeoutMs = 30_000) {
      return new Promise<void>((res, rej) => {
        const timer = setTimeout(
          () => rej(new Error(`timed out waiting for ${String(test)} in:\n${stdout.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            res();
          },
        });
        check();
      });
    },
  };
}

export function runAction(opts: StartOptions): Promise<ActionResult> {
  return startAction(opts).done;
}

/** Runs the `post:` entry with the state the main step saved. */
export function runPost(main: ActionResult, opts: Omit<StartOptions, 'state' | 'files'>): Promise<ActionResult> {
  return startAction({ ...opts, files: runnerFiles(), state: main.state }).done;
}
