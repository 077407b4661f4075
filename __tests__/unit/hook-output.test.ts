/**
 * `$DEPLOY_OUTPUT`: the parser of a hook's file (hook-output.ts), the shell that makes and sends it (hook-output.sh,
 * run in a real bash), the collection per host with its cap (commands/hook-outputs.ts) and the step outputs made of
 * it, secrets masked (action/outputs.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookStepOutputs as stepOutputs } from '../../src/action/outputs.js';
import { recordHookOutputs } from '../../src/commands/hook-outputs.js';
import type { Member } from '../../src/fleet/fleet.js';
import type { PhaseResult } from '../../src/remote/session.js';
import { PRELUDE_SH } from '../../src/remote/sh/index.js';
import {
  HOOK_OUTPUT_LIB,
  hookOutputs,
  OUTPUT_FILE_MAX,
  OUTPUT_HOST_MAX,
  OUTPUT_VALUE_MAX,
  outputKey,
  parseOutputFile,
} from '../../src/remote/steps/hook-output.js';
import { hookSteps, IN_CURRENT, IN_RELEASE } from '../../src/remote/steps/hooks.js';
import { RunReport } from '../../src/report/report.js';
import { tempDir } from '../support/temp-dirs.js';

const parse = (text: string) => parseOutputFile(Buffer.from(text));
const values = (text: string) => parse(text).pairs.map((p) => [p.name, p.value]);

describe('parseOutputFile', () => {
  test('name=value lines, as $GITHUB_OUTPUT: empty lines skipped, \\r\\n read as \\n, the first = splits', () => {
    expect(values('a=1\n\nb=two words\r\nc=x=y\nd=\ne=a<<b\n')).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c', 'x=y'],
      ['d', ''],
      ['e', 'a<<b'],
    ]);
    expect(parse('a=1\nb=2').pairs.map((p) => p.line)).toEqual([1, 2]);
  });

  test('name<<DELIMITER: the lines up to DELIMITER alone, the value of several lines', () => {
    const r = parse('x=1\nnotes<<EOF\nline one\r\n  EOF not yet\n\nEOF\ny=2\n');
    expect(r.pairs.map((p) => [p.name, p.value, p.line])).toEqual([
      ['x', '1', 1],
      ['notes', 'line one\n  EOF not yet\n', 2],
      ['y', '2', 7],
    ]);
    expect(r.problems).toEqual([]);
  });

  test('a multi-line value that never closes ends the reading, with a problem at its line', () => {
    const r = parse('a=1\nb<<END\nstill\nc=3\n');
    expect(r.pairs.map((p) => p.name)).toEqual(['a']);
    expect(r.problems).toEqual([
      {
        line: 2,
        text: '"b<<END" starts a multi-line value whose closing line "END" never comes: it and the lines after it were ignored',
      },
    ]);
    expect(parse('b<<\nx\n').problems[0]!.text).toContain('(none given)');
  });

  test('names: letters, digits, _ and -, 1 to 64 characters', () => {
    const ok = `${'n'.repeat(64)}=1\nA_b-9=2\n`;
    expect(values(ok).map(([n]) => n)).toEqual(['n'.repeat(64), 'A_b-9']);
    const r = parse(`${'n'.repeat(65)}=1\nbad name=1\ndot.ted=1\n=empty\nünï=1\n::error::x=1\nno equals sign\n`);
    expect(r.pairs).toEqual([]);
    expect(r.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, undefined]);
    expect(r.problems[1]!.text).toBe(
      '"bad name" is not an output name (letters, digits, _ and -, at most 64 characters): ignored',
    );
    expect(r.problems[4]!.text).toBe('and 3 more problems like these');
  });

  test('values: at most 4 KiB of UTF-8 (a longer one left out whole), no control characters but tab', () => {
    const r = parse(
      `fits=${'x'.repeat(OUTPUT_VALUE_MAX)}\nlong=${'x'.repeat(OUTPUT_VALUE_MAX + 1)}\nwide=${'é'.repeat(OUTPUT_VALUE_MAX / 2 + 1)}\ntab=a\tb\nesc=\x1b[31m\nnul=a\0b\n`,
    );
    expect(r.pairs.map((p) => p.name)).toEqual(['fits', 'tab']);
    expect(r.problems.map((p) => p.text)).toEqual([
      `the value of long is longer than 4 KiB (${OUTPUT_VALUE_MAX + 1} bytes): left out, not cut`,
      `the value of wide is longer than 4 KiB (${OUTPUT_VALUE_MAX + 2} bytes): left out, not cut`,
      'the value of esc holds a control character: ignored',
      'the value of nul holds a control character: ignored',
    ]);
    expect(values('m<<E\na\x07\nE\n')).toEqual([]);
  });

  test('past OUTPUT_FILE_MAX: the lines within it are read, the one it cuts is not, and it says so first', () => {
    const head = 'a=1\nb=2\n';
    const cutLine = `c=${'y'.repeat(OUTPUT_FILE_MAX)}\n`;
    const r = parseOutputFile(Buffer.from(`${head}${cutLine}d=4\n`));
    expect(r.pairs.map((p) => p.name)).toEqual(['a', 'b']);
    expect(r.problems).toEqual([{ text: 'holds more than 32 KiB: only the lines within its first 32 KiB were read' }]);
  });

  test('linear: a file of 32 KiB of bad lines or of unclosed blocks parses at once', () => {
    const t0 = Date.now();
    parse('x\n'.repeat(OUTPUT_FILE_MAX / 2));
    parse('a<<E\n'.repeat(OUTPUT_FILE_MAX / 5));
    expect(Date.now() - t0).toBeLessThan(500);
  });
});

function result(steps: [string, PhaseResult['steps'][number]['status']][], bytes: [string, string[]][]): PhaseResult {
  return {
    ok: true,
    stopped: false,
    rc: 0,
    steps: steps.map(([id, status]) => ({ id, label: `label of ${id}`, status, ms: 1, tail: [] })),
    data: new Map(),
    bytes: new Map(bytes.map(([k, v]) => [k, v.map((t) => Buffer.from(t))])),
  };
}

describe('hookOutputs (a phase result)', () => {
  test('the file of each hook step that succeeded, in order; a file sent twice is neither', () => {
    const r = result(
      [
        ['hook-1', 'ok'],
        ['hook-2', 'ok'],
        ['hook-3', 'ok'],
        ['hook-4', 'failed'],
      ],
      [
        [outputKey('hook-3'), ['c=3\n']],
        [outputKey('hook-1'), ['a=1\n']],
        [outputKey('hook-2'), ['b=2\n', 'b=forged\n']],
        [outputKey('hook-4'), ['d=4\n']],
      ],
    );
    expect(hookOutputs(r).map((o) => [o.step.id, o.pairs.map((p) => p.name), o.problems.map((p) => p.text)])).toEqual([
      ['hook-1', ['a'], []],
      ['hook-2', [], ['reported 2 times (a forged report?): none of it was used']],
      ['hook-3', ['c'], []],
    ]);
  });
});

describe('the hook steps and their shell', () => {
  test('each hook opens $DEPLOY_OUTPUT before it runs and sends it under its own key after', () => {
    const [a, b] = hookSteps([{ run: 'true' }, { run: 'false' }], {}, IN_RELEASE, 1000);
    expect(a!.body).toContain('da_output_open hook-1\ncd -- ');
    expect(a!.body).toMatch(/da_output_close hook-1$/);
    expect(b!.body).toContain('da_output_close hook-2');
    expect(a!.lib).toEqual([HOOK_OUTPUT_LIB]);
    expect(hookSteps([{ run: 'true' }], {}, IN_CURRENT, 1000)[0]!.body).toContain('da_output_close activate-1');
    // The literals of the shell agree with the reader: the key, and one byte more than it reads.
    expect(HOOK_OUTPUT_LIB).toContain(
      `head -c ${OUTPUT_FILE_MAX + 1} -- "$DEPLOY_OUTPUT" | da_blob "${outputKey('$1')}"`,
    );
  });

  /** Runs `script` in bash with the prelude's helpers and the lib, in a fresh deploy path; stdout and the path. */
  function bash(script: string): { out: string; dp: string; rc: number | null } {
    const dp = tempDir('da-hook-out-');
    mkdirSync(join(dp, '.deploy'));
    const text = `DA_T=tok; DA_TMP=.deploy/tmp.run-1; DA_DEPLOY_PATH=.\n${PRELUDE_SH}\n${HOOK_OUTPUT_LIB}\ncd -- "$1"\nset -euo pipefail\n${script}`;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', text, 'bash', dp], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { out: r.stdout + r.stderr, dp, rc: r.status };
  }
  /** The value of a da_blob marker with `key` in the output. */
  const blob = (out: string, key: string) => {
    const m = new RegExp(`\x1etok data ${key.replace('.', '\\.')} (\\S*)\n`).exec(out);
    return m ? Buffer.from(m[1]!, 'base64').toString() : undefined;
  };

  test('a fresh empty file, mode 0600, even where the umask is open; sent back and removed', () => {
    const r = bash(
      'umask 000; da_output_open hook-1; stat -c "%a %s" "$DEPLOY_OUTPUT"; echo "a=1" >> "$DEPLOY_OUTPUT"; f=$DEPLOY_OUTPUT; da_output_close hook-1; [ ! -e "$f" ] && echo gone; umask',
    );
    expect(r.rc).toBe(0);
    expect(r.out).toMatch(/^600 0\n/);
    expect(blob(r.out, 'output.hook-1')).toBe('a=1\n');
    expect(r.out).toMatch(/gone\n0000\n$/);
  });

  test('nothing is sent for an empty file or a failed hook; a link left in its place is replaced, not followed', () => {
    const victim = join(tempDir('da-victim-'), 'secret');
    writeFileSync(victim, 'victim=data\n');
    const r = bash(
      [
        'da_output_open hook-1; da_output_close hook-1',
        'da_output_open hook-2; echo "x=1" >> "$DEPLOY_OUTPUT"; da_output_close',
        `ln -s ${JSON.stringify(victim)} "$DA_TMP/output.hook-3"; da_output_open hook-3; da_output_close hook-3`,
        // A hook that replaces the file by a link to a file of its own choosing: not read.
        `da_output_open hook-4; rm "$DEPLOY_OUTPUT"; ln -s ${JSON.stringify(victim)} "$DEPLOY_OUTPUT"; da_output_close hook-4`,
        'echo done',
      ].join('\n'),
    );
    expect(r.rc).toBe(0);
    expect(r.out).toBe('done\n');
    expect(statSync(victim).size).toBe('victim=data\n'.length);
    expect(readdirSync(join(r.dp, '.deploy/tmp.run-1'))).toEqual([]);
  });

  test('a host reads one byte past OUTPUT_FILE_MAX at most', () => {
    const r = bash(
      `da_output_open hook-1; head -c ${OUTPUT_FILE_MAX * 3} /dev/zero | tr '\\0' x >> "$DEPLOY_OUTPUT"; da_output_close hook-1`,
    );
    expect(blob(r.out, 'output.hook-1')).toHaveLength(OUTPUT_FILE_MAX + 1);
  });
});

const member = (name: string, masked = false) => ({ host: { name, masked } }) as unknown as Member;

describe('recordHookOutputs', () => {
  test('per host, a later value replaces an earlier; past 64 KiB a host keeps no more, with one warning per hook', () => {
    const report = new RunReport('deploy', 'production', 'shop');
    const warnings: string[] = [];
    const ctx = { report, log: { warning: (t: string) => warnings.push(t) } as never };
    const a = member('web1');
    recordHookOutputs(
      ctx,
      new Map([
        [a, result([['hook-1', 'ok']], [[outputKey('hook-1'), ['x=1\nbad name=2\n']]])],
        [member('web2', true), result([['hook-1', 'ok']], [[outputKey('hook-1'), ['x=2\n']]])],
      ]),
    );
    // Three activate hooks of 7 values of about 4 KiB each (under 32 KiB a file): 21 values, more than 64 KiB.
    const value = (i: number) => `${String(i).padStart(2, '0')}${'v'.repeat(OUTPUT_VALUE_MAX - 10)}`;
    const file = (from: number) =>
      `${from ? '' : 'x=3\n'}${Array.from({ length: 7 }, (_, i) => `k${from + i}=${value(from + i)}`).join('\n')}\n`;
    const ids = ['activate-1', 'activate-2', 'activate-3'];
    const steps = ids.map((id) => [id, 'ok'] as [string, 'ok']);
    recordHookOutputs(
      ctx,
      new Map([
        [
          a,
          result(
            steps,
            ids.map((id, i) => [outputKey(id), [file(i * 7)]] as [string, string[]]),
          ),
        ],
      ]),
    );
    const web1 = report.hookOutputs.get('web1')!;
    expect(web1.values.get('x')).toBe('3');
    const kept = [...web1.values.keys()].filter((k) => k.startsWith('k'));
    const n = kept.length;
    expect(kept).toEqual(Array.from({ length: n }, (_, i) => `k${i}`));
    let size = 0;
    for (const [k, v] of web1.values) size += k.length + v.length;
    expect(size).toBeLessThanOrEqual(OUTPUT_HOST_MAX);
    expect(size + `k${n}`.length + value(n).length).toBeGreaterThan(OUTPUT_HOST_MAX);
    expect(n).toBe(16);
    expect(report.hookOutputs.get('web2')).toEqual({ masked: true, values: new Map([['x', '2']]) });
    expect(warnings).toEqual([
      'web1: hook "label of hook-1": $DEPLOY_OUTPUT line 2: "bad name" is not an output name (letters, digits, _ and -, at most 64 characters): ignored',
      `web1: activate hook "label of activate-3": $DEPLOY_OUTPUT line 3: k16, k17, k18 and 2 more left out: this host's outputs would pass 64 KiB in all`,
    ]);
    expect(report.warnings).toEqual(warnings);
  });
});

describe('the step outputs (action)', () => {
  test('`outputs` per host in config order, hosts from secrets ***, `hook-<name>` from the first host; secrets masked', () => {
    const report = new RunReport('deploy', 'production', 'shop');
    report.begin(['web1', 'db.internal', 'web2'], false);
    const host = (masked: boolean, pairs: [string, string][]) => ({ masked, values: new Map(pairs) });
    // Recorded in the order the hosts answered, not config order.
    report.hookOutputs.set('web2', host(true, [['who', 'web2']]));
    report.hookOutputs.set(
      'db.internal',
      host(true, [
        ['who', 'db'],
        ['migrated', '12'],
      ]),
    );
    report.hookOutputs.set(
      'web1',
      host(false, [
        ['who', 'web1'],
        ['dsn', 'mysql://app:s3cret-key@db'],
        ['__proto__', 'p'],
      ]),
    );
    report.hookOutputs.get('web1')!.values.set('key-s3cret-key', 'x');
    const r = stepOutputs(report, ['s3cret', 's3cret-key']);
    expect(JSON.stringify(r.outputs)).toBe(
      JSON.stringify({
        web1: { who: 'web1', dsn: 'mysql://app:***@db', ['__proto__']: 'p' },
        '***': { who: 'db', migrated: '12' },
        '*** (2)': { who: 'web2' },
      }),
    );
    expect([...r.flat]).toEqual([
      ['who', 'web1'],
      ['dsn', 'mysql://app:***@db'],
      ['__proto__', 'p'],
      ['migrated', '12'],
    ]);
    expect(r.warnings).toEqual(['web1: the output name key-*** holds a secret: left out']);
  });
});
