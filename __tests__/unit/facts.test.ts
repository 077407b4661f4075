import { describeHeldLock } from '../../src/commands/host-messages.js';

const INFO = {
  sha: 'abc123',
  ref: 'refs/heads/main',
  actor: 'octocat',
  repository: 'acme/shop',
  run_id: '987654',
  run_attempt: '2',
  run_url: 'https://github.com/acme/shop/actions/runs/987654',
  owner: 'run-987654-2-x',
  runner: 'runner-1',
  started_at: '2024-03-05T07:08:09.000Z',
  pid: 4242,
  boot_id: 'b00t',
};

function data(entries: Record<string, string>): Map<string, string[]> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, [v]]));
}

describe('describeHeldLock', () => {
  test('names the holder: repository, run id, attempt, actor, start time and run URL', () => {
    const text = describeHeldLock(
      data({ 'lock-info': JSON.stringify(INFO), 'lock-alive': 'yes', 'lock-since': '2024-03-05T07:08:10Z' }),
      'production',
    );
    expect(text).toContain('acme/shop');
    expect(text).toContain('run 987654');
    expect(text).toContain('attempt 2');
    expect(text).toContain('octocat');
    expect(text).toContain('2024-03-05T07:08:09.000Z'); // the holder's own start time wins over the directory's mtime
    expect(text).toContain('https://github.com/acme/shop/actions/runs/987654');
    expect(text).toMatch(
      /^the deploy lock is held by acme\/shop run 987654 \(attempt 2\) by octocat, since 2024-03-05T07:08:09\.000Z\./,
    );
  });

  test('says the holder is still running when its session is alive', () => {
    const text = describeHeldLock(data({ 'lock-info': JSON.stringify(INFO), 'lock-alive': 'yes' }), 'production');
    expect(text).toMatch(/still running/);
    expect(text).toMatch(/wait for that deploy to finish/);
    expect(text).not.toMatch(/no longer running/);
  });

  test('says the holder is gone when its session is not running', () => {
    for (const alive of ['no', '']) {
      const text = describeHeldLock(data({ 'lock-info': JSON.stringify(INFO), 'lock-alive': alive }), 'production');
      expect(text).toMatch(/no longer running/);
      expect(text).toMatch(/ended without releasing the lock/);
      expect(text).not.toMatch(/still running/);
    }
  });

  test('tells how to clear it: command: unlock, and the CLI form for this environment', () => {
    const text = describeHeldLock(data({ 'lock-info': JSON.stringify(INFO), 'lock-alive': 'no' }), 'staging');
    expect(text).toContain('`command: unlock`');
    expect(text).toContain('`deploy-action unlock staging`');
  });

  test('an empty lock record: says it is being taken or was left half-written, uses the lock time, still says how to clear it', () => {
    const text = describeHeldLock(
      data({ 'lock-info': '', 'lock-alive': 'no', 'lock-since': '2024-03-05T07:00:00Z' }),
      'production',
    );
    expect(text).toMatch(/owner record is empty/);
    expect(text).toMatch(/being taken right now, or was left half-written/);
    expect(text).toContain('since 2024-03-05T07:00:00Z');
    expect(text).toContain('`command: unlock`');
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('Run:');
  });

  test('an unreadable (torn) record neither throws nor prints garbage, and still says how to clear it', () => {
    const torn = JSON.stringify(INFO).slice(0, 40);
    const text = describeHeldLock(
      data({ 'lock-info': torn, 'lock-alive': 'no', 'lock-since': '2024-03-05T07:00:00Z' }),
      'production',
    );
    expect(text).toMatch(/^the deploy lock is held/);
    expect(text).toContain('since 2024-03-05T07:00:00Z');
    expect(text).toContain('`command: unlock`');
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('[object Object]');
  });

  test('no data at all (the step died before reporting)', () => {
    const text = describeHeldLock(undefined, 'production');
    expect(text).toMatch(/^the deploy lock is held/);
    expect(text).toContain('`command: unlock`');
    expect(text).not.toContain('undefined');
  });

  test('a record without attempt or URL leaves those parts out cleanly', () => {
    const { run_attempt: _a, run_url: _u, ...rest } = INFO;
    const text = describeHeldLock(
      data({ 'lock-info': JSON.stringify({ ...rest, run_attempt: '' }), 'lock-alive': 'yes' }),
      'production',
    );
    expect(text).toContain('run 987654 by octocat');
    expect(text).not.toContain('attempt');
    expect(text).not.toContain('Run:');
    expect(text).not.toContain('undefined');
  });
});

describe('describeHeldLock with odd records', () => {
  test('a record of null or a torn record: no crash, says the record is unreadable', () => {
    for (const raw of ['null', '{"repository":"acme/shop","run_id":"9']) {
      const text = describeHeldLock(new Map([['lock-info', [raw]]]), 'prod');
      expect(text).toContain('unreadable');
      expect(text).toContain('command: unlock');
      expect(text).not.toContain('undefined');
    }
  });
});

describe('lock holders taken by the CLI', () => {
  test('named by runner host and actor, never "by by"', () => {
    const data = new Map([
      ['lock-info', ['{"actor":"alice","runner":"laptop","owner":"x","started_at":"2026-11-22T10:00:00Z"}']],
    ]);
    const text = describeHeldLock(data, 'prod');
    expect(text).toContain('held by a CLI run on laptop by alice, since 2026-11-22T10:00:00Z');
    expect(text).not.toContain('by by');
    const actorOnly = describeHeldLock(new Map([['lock-info', ['{"actor":"alice"}']]]), 'prod');
    expect(actorOnly).toContain('held by alice.');
  });
});
