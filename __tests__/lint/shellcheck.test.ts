/**
 * The session's shell, linted: every file of src/remote/sh/ and every step of src/remote/steps/ rendered with sample
 * options (shell-samples.ts) inside a whole session script (prelude, then the phase), as a host evaluates it, pass
 * `shellcheck -s bash`. A finding is fixed, or disabled in place with a comment that says why. Also: the generated
 * src/remote/sh/index.ts is what `npm run shell` makes of those files, and the constants they hold as literals agree
 * with the TypeScript ones.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compact, shellFiles, shellModule } from '../../scripts/shell-text.js';
import { LOCK_LOST } from '../../src/remote/fence.js';
import { renderPhase, STOP, type Step } from '../../src/remote/phase.js';
import { q } from '../../src/remote/quote.js';
import { DELTA_SH, FENCE_SH, INSPECT_SH, TOOLS_SH, VERIFY_SH } from '../../src/remote/sh/index.js';
import { HISTORY_TAIL } from '../../src/remote/steps/inspect.js';
import { MIN_BASH, TOOLS_EXIT } from '../../src/remote/tools.js';
import { sampleLibs, sampleSteps } from './shell-samples.js';
import { tempDir } from '../support/temp-dirs.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const SH = join(ROOT, 'src/remote/sh');

const haveShellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
const MISSING =
  'shellcheck is not installed: the shell lint did NOT run. Install it (Debian, Ubuntu: `apt-get install shellcheck`)';
if (!haveShellcheck && !process.env.CI) {
  // Loud, once per run: a skipped lint must not pass for a clean one.
  process.stderr.write(`\n*** SKIPPED: ${MISSING} ***\n\n`);
}

/** shellcheck's output (stdout then stderr) for these files, from one process. */
function shellcheck(files: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('shellcheck', ['-x', '-s', 'bash', '-f', 'gcc', ...files], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(`${out}${err}`));
  });
}

/**
 * shellcheck's findings for each of the texts, each finding with the line it is on; '' for a clean text. Two
 * processes share the texts: each step's script sources the prelude, which shellcheck parses again for every file,
 * so the lint is CPU-bound, and the suite's other worker mostly waits on hosts.
 */
async function shellcheckAll(texts: readonly (readonly [string, string])[]): Promise<Map<string, string>> {
  const dir = tempDir('da-shellcheck-');
  try {
    const files = texts.map(([name, text], i) => {
      const file = join(dir, `${i}.sh`);
      writeFileSync(file, text);
      return [file, name, text] as const;
    });
    const paths = files.map(([f]) => f);
    const half = Math.ceil(paths.length / 2);
    const output = (await Promise.all([shellcheck(paths.slice(0, half)), shellcheck(paths.slice(half))])).join('');
    const found = new Map<string, string>(texts.map(([name]) => [name, '']));
    for (const line of output.split('\n').filter(Boolean)) {
      const hit = files.find(([f]) => line.startsWith(`${f}:`));
      if (!hit) throw new Error(`shellcheck: ${line}`);
      const [file, name, text] = hit;
      const finding = line.slice(file.length + 1);
      const n = Number(/^(\d+):/.exec(finding)?.[1] ?? 0);
      found.set(name, `${found.get(name)}${finding}\n    ${text.split('\n')[n - 1] ?? ''}\n`);
    }
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file of src/remote/sh/ sourced, for shellcheck -x: it reads its definitions (and their directives). */
const source = (file: string) => `# shellcheck source=${join(SH, file)}\n. ${join(SH, file)}\n`;

/** The raw file a text of the generated module comes from (its compacted form is what a phase carries). */
const RAW: [string, string][] = shellFiles(SH).map((f) => [compact(readFileSync(join(SH, f), 'utf8')), f]);

/**
 * The script a host would run for these steps, for shellcheck: the session's variables, the prelude's functions
 * (its files, sourced), then the phase as rendered, where the shell functions it carries from src/remote/sh/ are
 * sourced too (their own lint and directives are in their files; the phase carries them compacted).
 */
function sessionWith(steps: Step[]): string {
  let phase = renderPhase({ name: 'sample', steps });
  for (const [text, file] of RAW) {
    if (text.length > 80 && phase.includes(text.replace(/\n$/, '')))
      phase = phase.replace(text.replace(/\n$/, ''), source(file).replace(/\n$/, ''));
  }
  const vars = {
    DA_T: 'tok',
    DA_OWNER: 'run-1',
    DA_DEPLOY_PATH: '/srv/app',
    DA_PENDING: '.deploy/pending/run-1',
    DA_TMP: '.deploy/tmp.run-1',
    DA_RUN_JSON: '"sha":"abc"',
    DA_IDLE: '30',
    DA_RELEASE: '20260101120000',
    DA_BASE: '20251231120000',
    DA_LIVE: '20251231120000',
  };
  const assign = Object.entries(vars)
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
  return `#!/bin/bash\nexport ${assign}\n${source('prelude.sh')}${source('contain-prelude.sh')}${phase}`;
}

/**
 * Findings left in rendered steps, by step and code, each with why (a directive in a step's body would travel to
 * every host; the files of src/remote/sh/ hold theirs in place).
 */
const ALLOWED: Record<string, Record<string, string>> = {
  'upload (no skip)': { SC2119: 'da_list_files takes find arguments (paths left out); here there are none' },
  verify: { SC2016: "the awk program (verify.awk) travels as a single-quoted value: its $ are awk's" },
  'verify (no skip)': { SC2016: "the awk program (verify.awk) travels as a single-quoted value: its $ are awk's" },
  files: { SC2016: "a file's content travels as a single-quoted value: its $ are the file's text" },
};

/** The findings (finding line, then its source line) without the codes ALLOWED for `name`. */
function unexpected(name: string, findings: string): string {
  const allowed = Object.keys(ALLOWED[name] ?? {});
  const lines = findings.split('\n');
  const kept: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!allowed.some((code) => lines[i]!.endsWith(`[${code}]`))) kept.push(lines[i]!, lines[i + 1]!);
  }
  return kept.map((l) => `${l}\n`).join('');
}

describe('src/remote/sh/index.ts', () => {
  test('is what `npm run shell` generates from the .sh and .awk files (run it after editing them)', () => {
    expect(readFileSync(join(SH, 'index.ts'), 'utf8')).toBe(shellModule(SH));
  });

  test('the literals in the shell files agree with the TypeScript constants', () => {
    expect(FENCE_SH).toContain(`exit ${LOCK_LOST}\n`);
    expect(TOOLS_SH).toContain(`BASH_VERSINFO[1] < ${MIN_BASH[0] * 100 + MIN_BASH[1]})); then`);
    expect(TOOLS_SH.match(/exit \d+/g)).toEqual([`exit ${TOOLS_EXIT}`, `exit ${TOOLS_EXIT}`]);
    expect(DELTA_SH.match(/exit \d+/g)).toEqual(['exit 1', 'exit 1', `exit ${STOP}`]);
    expect(VERIFY_SH.match(/exit \d+/g)).toEqual([`exit ${STOP}`]);
    expect(INSPECT_SH).toContain(`tail -n ${HISTORY_TAIL} .deploy/history.jsonl`);
  });

  test('no template literal in src/remote/**/*.ts spans more than 15 lines (longer shell lives in src/remote/sh/)', () => {
    const long: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    for (const file of walk(join(ROOT, 'src/remote')).filter((f) => f !== join(SH, 'index.ts'))) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const [literal] of code.matchAll(/`(?:\\[\s\S]|[^`\\])*`/g)) {
        const lines = literal.split('\n').length;
        if (lines > 15) long.push(`${file.slice(ROOT.length + 1)}: ${lines} lines: ${literal.slice(0, 60)}`);
      }
    }
    expect(long).toEqual([]);
  });

  test('comments, blank lines and indentation are left out', () => {
    expect(compact('# a comment\n  echo "a"  # kept\n\n\tif x; then\n    y\n  fi\n')).toBe(
      'echo "a"  # kept\nif x; then\ny\nfi\n',
    );
  });
});

(haveShellcheck || process.env.CI ? describe : describe.skip)(
  haveShellcheck ? 'shellcheck -s bash' : `shellcheck -s bash (${MISSING})`,
  () => {
    test('is installed (CI installs it: .ci/run)', () => {
      if (!haveShellcheck) throw new Error(MISSING);
    });

    const files = shellFiles(SH).filter((f) => f.endsWith('.sh'));
    const steps = sampleSteps();
    const libs = sampleLibs();
    let found = new Map<string, string>();
    beforeAll(async () => {
      if (!haveShellcheck) return;
      found = await shellcheckAll([
        ...files.map((f) => [`file ${f}`, readFileSync(join(SH, f), 'utf8')] as const),
        ...steps.map(([name, step]) => [`step ${name}`, sessionWith([step])] as const),
        ...libs.map(([name, lib]) => [`lib ${name}`, `# shellcheck shell=bash\n${lib}`] as const),
      ]);
      // Over a minute on a loaded 2-core machine (it ran synchronously before, where no hook timeout applied).
    }, 300_000);

    test.each(files)('src/remote/sh/%s is clean', (file) => {
      expect(found.get(`file ${file}`)).toBe('');
    });

    test.each(steps.map(([name]) => name))('the step %s, in a session script, is clean', (name) => {
      expect(unexpected(name, found.get(`step ${name}`) ?? '?')).toBe('');
    });

    test.each(libs.map(([name]) => name))('the %s functions as sent are clean', (name) => {
      expect(found.get(`lib ${name}`)).toBe('');
    });
  },
);
