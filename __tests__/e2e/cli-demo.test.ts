/**
 * `npm run demo` ends with the CLI commands to try "from a terminal": they must work as printed, from the
 * repository root (the demo's config is not the default deploy.yml; a rollback needs the demo's ${DEMO_SECRET}).
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('.', import.meta.url).pathname, '../..');

test("the demo's from-a-terminal commands run as printed from the repository root", () => {
  const demo = spawnSync(process.execPath, ['scripts/demo.mjs', '--clean'], { cwd: ROOT, encoding: 'utf8' });
  expect({ code: demo.status, err: demo.stderr }).toEqual({ code: 0, err: '' });
  const section = demo.stdout.split('== From a terminal\n')[1] ?? '';
  const commands = section
    .split('\n\n')[0]!
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.trim());
  expect(commands).toEqual([
    expect.stringMatching(/^npx deploy-action releases demo --config \S+$/),
    expect.stringMatching(/^DEMO_SECRET=\S+ npx deploy-action rollback demo --config \S+$/),
  ]);

  const live = () => readlinkSync(join(ROOT, 'demo-target/app/current'));
  const before = live();
  const run = (command: string) =>
    spawnSync('bash', ['-c', command], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', USER: 'alice' },
    });
  const releases = run(commands[0]!);
  expect({ code: releases.status, err: releases.stderr }).toEqual({ code: 0, err: '' });
  expect(releases.stdout).toContain('✓ Releases of demo in demo succeeded');
  const rollback = run(commands[1]!);
  expect({ code: rollback.status, err: rollback.stderr }).toEqual({ code: 0, err: '' });
  expect(rollback.stdout).toContain('✓ Rollback of demo to demo succeeded');
  expect(rollback.stdout + rollback.stderr).not.toContain('demo-app-key');
  expect(live()).not.toBe(before);
}, 180_000);
