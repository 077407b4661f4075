/** doctor's parser and verdicts: host values are untrusted, each checked against what it can be. */
import { checkRows, type HostEvidence } from '../../src/commands/doctor-checks.js';
import type { EnvironmentConfig, HostConfig } from '../../src/config/index.js';
import { readDoctor } from '../../src/remote/steps/doctor.js';

const data = (o: Record<string, string | string[]>) =>
  new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
const DP = '/srv/app';

describe('readDoctor', () => {
  test('reads a good report', () => {
    const f = readDoctor(
      {
        data: data({
          'doctor-bash': '5.2.15(1)-release',
          'doctor-clock': '1700000000',
          'doctor-exists': 'no',
          'doctor-parent': '/srv',
          'doctor-unwritable': '',
          'doctor-free-kb': '1048576',
          'doctor-setfacl': 'no',
          'doctor-lock': 'free',
        }),
      },
      DP,
    );
    expect(f).toMatchObject({ bash: '5.2.15(1)-release', clock: 1700000000, exists: false, parent: '/srv' });
    expect(f).toMatchObject({ freeKb: 1048576, setfacl: false, sudo: undefined, lockHeld: false, invalid: [] });
  });

  test('hostile values are left out and listed as invalid', () => {
    const f = readDoctor(
      {
        data: data({
          'doctor-bash': '5.2\n::error::x',
          'doctor-clock': 'soon',
          'doctor-parent': '/etc',
          'doctor-unwritable': 'releases\n/etc/passwd',
          'doctor-free-kb': '12; rm -rf /',
          'doctor-setfacl': 'maybe',
          'doctor-lock': ['free', 'held'],
        }),
      },
      DP,
    );
    expect(f.bash).toBeUndefined();
    expect(f.clock).toBeUndefined();
    expect(f.parent).toBeUndefined();
    expect(f.unwritable).toEqual(['releases']);
    expect(f.freeKb).toBeUndefined();
    expect(f.setfacl).toBeUndefined();
    expect(f.lockHeld).toBeUndefined();
    expect(f.invalid.length).toBe(7);
  });
});

describe('checkRows', () => {
  const host = { name: 'deploy@web1', user: 'deploy', deployPath: DP } as HostConfig;
  const config = { environment: 'production', writableUseSudo: false, clearUseSudo: false } as EnvironmentConfig;
  const facts = (over = {}) => ({
    ...readDoctor(
      {
        data: data({ 'doctor-bash': '5.2', 'doctor-clock': '1000', 'doctor-exists': 'yes', 'doctor-free-kb': '1000' }),
      },
      DP,
    ),
    ...over,
  });
  const rows = (e: Partial<HostEvidence>, buildBytes = 1000) =>
    checkRows(host, { loginLines: 0, answeredAt: 1_000_000, ...e }, { config, buildBytes });
  const mark = (e: Partial<HostEvidence>, check: string, buildBytes?: number) =>
    rows(e, buildBytes).find((r) => r.check === check)?.mark;

  test('a good host passes every check', () => {
    expect(rows({ facts: facts() }).every((r) => r.mark === '✓')).toBe(true);
  });

  test('clock skew over a minute, a build larger than the free disk, an unwritable path, a stale lock', () => {
    expect(mark({ facts: facts({ clock: 1061 }) }, 'clock')).toBe('⚠');
    expect(mark({ facts: facts() }, 'free disk', 2_000_000)).toBe('✗');
    expect(mark({ facts: facts({ unwritable: ['.deploy'] }) }, 'deploy path')).toBe('✗');
    const lock = data({ 'lock-info': '{"actor":"mona"}', 'lock-alive': 'no' });
    const held = rows({ facts: facts({ lockHeld: true, lock }) }).find((r) => r.check === 'deploy lock')!;
    expect(held).toMatchObject({ mark: '✗', fix: expect.stringContaining('held by mona') });
  });

  test('a host that could not be reached, or whose tools are missing, has one ✗ row saying why', () => {
    const unreachable = rows({ failure: { step: 'connect', message: 'nothing listens on port 2222' } });
    expect(unreachable).toEqual([expect.objectContaining({ mark: '✗', check: 'SSH login' })]);
    const tools = rows({ failure: { step: 'tools', message: 'missing: tar' } });
    expect(tools.map((r) => r.mark)).toEqual(['✓', '✗']);
  });
});
