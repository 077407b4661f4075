/** Maintenance's pieces on the runner: what a host may report, the session variables, and the command line. */
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { renderPhase } from '../../src/remote/phase.js';
import type { PhaseResult } from '../../src/remote/session.js';
import {
  MAINTENANCE,
  maintenanceOn,
  maintenanceOutcomes,
  maintenancePhase,
} from '../../src/remote/steps/maintenance.js';

const result = (values: string[]): PhaseResult => ({
  ok: true,
  stopped: false,
  rc: 0,
  steps: [],
  data: new Map([[MAINTENANCE, values]]),
  bytes: new Map(),
});

describe('maintenance', () => {
  test('a host reports only known words; anything else is left out', () => {
    expect(maintenanceOutcomes(result(['on', 'held', 'none', 'off', 'left', 'failed 3']))).toEqual([
      'on',
      'held',
      'none',
      'off',
      'left',
      { failed: 3 },
    ]);
    expect(maintenanceOutcomes(result(['ON', 'failed x', 'failed 3; rm -rf /', '::error::x', 'failed 12345']))).toEqual(
      [],
    );
    expect(maintenanceOutcomes(undefined)).toEqual([]);
  });

  test('the phase sets the commands, the env (quoted) and the timeout as session variables', () => {
    const phase = maintenancePhase(
      'maintenance',
      { on: "php artisan down --secret='x'", off: 'php artisan up', env: { APP_KEY: "a'b$(c)" }, timeoutMs: 90_500 },
      [maintenanceOn('deploy')],
    );
    const script = renderPhase(phase);
    expect(script).toContain("DA_MAINT_ON='php artisan down --secret='\\''x'\\'''");
    expect(script).toContain('DA_MAINT_SECS=91');
    expect(script).toContain('da_maint_on deploy');
    expect(phase.vars?.['DA_MAINT_ENV']).toBe("export APP_KEY='a'\\''b$(c)'");
  });

  test('CLI: maintenance ENVIRONMENT on|off, --maintenance and --no-maintenance for deploy and redeploy', () => {
    expect(parseCliArgs(['maintenance', 'production', 'on'])).toMatchObject({
      command: 'maintenance',
      maintenanceState: 'on',
    });
    expect(parseCliArgs(['deploy', 'production', '--maintenance'])).toMatchObject({ maintenance: true });
    expect(parseCliArgs(['redeploy', 'production', '--no-maintenance'])).toMatchObject({ maintenance: false });
    expect(parseCliArgs(['deploy', 'production'])).not.toHaveProperty('maintenance');
    const refused: [string[], string][] = [
      [['maintenance', 'production'], 'maintenance needs the state'],
      [['maintenance', 'production', 'up'], 'maintenance needs the state'],
      [['maintenance', 'production', 'on', 'x'], 'unexpected argument "x"'],
      [['rollback', 'production', '--maintenance'], 'apply to deploy and redeploy, not rollback'],
      [['deploy', 'production', '--maintenance', '--no-maintenance'], 'exclude each other'],
    ];
    for (const [argv, message] of refused) {
      expect(() => parseCliArgs(argv)).toThrow(UsageError);
      expect(() => parseCliArgs(argv)).toThrow(message);
    }
  });
});
