/** exec's small pieces: the CLI's command line after `--`, the step's label, the `exec` output. */
import { commandLine, parseCliArgs, UsageError } from '../../src/cli/args.js';
import { execLabel } from '../../src/remote/steps/exec.js';
import { execOutput } from '../../src/report/exec.js';
import { RunReport } from '../../src/report/report.js';
import { resultLine } from '../../src/report/result-line.js';

const run = (argv: string[]) => {
  const r = parseCliArgs(argv);
  if (r.kind !== 'run') throw new Error(r.kind);
  return r;
};

describe('deploy-action exec ENV [options] -- COMMAND', () => {
  test('the words after -- are the command, never options', () => {
    expect(run(['exec', 'production', '--once', '--', 'ls', '--hosts', '-q']).exec).toEqual({
      command: 'ls --hosts -q',
      once: true,
      lock: false,
    });
    expect(run(['exec', 'production', '--lock', '--hosts', 'label=web', '--', 'true'])).toMatchObject({
      hosts: 'label=web',
      exec: { command: 'true', once: false, lock: true },
    });
  });

  test('several words are quoted one by one; one argument is a command line as it is', () => {
    expect(commandLine(['php', 'artisan', 'a b', "it's", '$HOME'])).toBe(`php artisan 'a b' 'it'\\''s' '$HOME'`);
    expect(commandLine(['cd web && make'])).toBe('cd web && make');
  });

  test.each([
    [['exec', 'production'], 'exec needs the command after --'],
    [['exec', 'production', '--'], 'exec needs the command after --'],
    [['deploy', 'production', '--', 'ls'], '"--" and a command apply to exec, not deploy'],
    [['deploy', 'production', '--once'], '--once applies to exec, not deploy'],
    [['releases', 'production', '--lock'], '--lock applies to exec, not releases'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('exec report', () => {
  test("the step's label is the command's first line, cut", () => {
    expect(execLabel('php artisan queue:restart')).toBe('php artisan queue:restart');
    expect(execLabel('set -x\nmake')).toBe('set -x…');
    expect(execLabel('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
  });

  test('the output masks a host from a secret and says why a host could not run it', () => {
    expect(
      JSON.parse(
        execOutput([
          { host: 'deploy@web1', exitCode: 0, ms: 12, lastLine: 'ok', tail: ['ok'] },
          { host: 'deploy@secret-host', masked: true, exitCode: null, ms: 5, lastLine: '', error: 'connection lost' },
        ]),
      ),
    ).toEqual([
      { host: 'deploy@web1', exit_code: 0, duration_ms: 12, last_line: 'ok' },
      { host: '***', exit_code: null, duration_ms: 5, last_line: '', error: 'connection lost' },
    ]);
  });
});

describe("the log's last line", () => {
  test('a failure of no one host (several hosts failed) names no host', () => {
    const r = new RunReport('exec', 'production', 'shop');
    r.failure = { host: undefined, step: 'exec', message: 'the command failed on 2 of 2 hosts', tail: [] };
    expect(resultLine(r, 2)).toBe('✗ Exec of shop on production failed in step exec');
  });
});
