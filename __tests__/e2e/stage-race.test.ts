/**
 * A discard that lands between a switch's check and its take-over, through dist/index.js as the runner runs it,
 * against two real sshd hosts a and b. The switch checks every host (inspect + stage check), waits for all of them,
 * then takes each host over under the fence. Host b is held inside its check by a stand-in `stat` on its PATH (sshd's
 * SetEnv; inspect runs `stat` before the stage check): once armed it says it sleeps and waits for a go file. Host a
 * has passed its check by then; a second operator's discard (a config that lists only host a) removes a's stage;
 * then b goes on. No sleep decides the order: each side waits for the other's sign.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { expectOk, fleetInputs, historyOf, hostEntry, liveVersion } from '../support/fleet-hosts.js';
import { runAction, startAction } from '../support/action.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const control = tempDir('da-race-');
const bin = join(control, 'bin');
const hosts: SshdHandle[] = [];

beforeAll(async () => {
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'stat'),
    `#!/bin/bash
c=${JSON.stringify(control)}
if [ -f "$c/arm" ]; then
  rm -f "$c/arm"
  : > "$c/sleeping"
  for _ in $(seq 300); do [ -e "$c/go" ] && break; sleep 0.1; done
fi
exec /usr/bin/stat "$@"
`,
  );
  chmodSync(join(bin, 'stat'), 0o755);
  // Only host b finds the stand-in first on its PATH.
  const path = `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin`;
  hosts.push(...(await Promise.all([startSshd(), startSshd({ extraConfig: [path] })])));
  hosts[1]!.authorize(hosts[0]!.publicKeyLine());
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

/** Hosts a and b (or only a: an older deploy.yml a second operator still has), each with its own deploy_path. */
function config(base: string, o: { onlyA?: boolean } = {}): string {
  const entry = (h: SshdHandle, n: string) => `      - ${hostEntry(h, join(base, n))}\n`;
  return `name: shop
environments:
  production:
    hosts:
${entry(hosts[0]!, 'a')}${o.onlyA ? '' : entry(hosts[1]!, 'b')}    deploy:
      - echo "$DEPLOY_RELEASE" >> HOOK_RUNS
`;
}

const at = (base: string, h: string, ...p: string[]) => join(base, h, ...p);
const text = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined);
const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};

test('a discard on host a between its stage check and its take-over: the switch stops, nothing is switched anywhere, and discard then a fresh stage recover', async () => {
  const base = tempDir('da-race-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
  const older = makeWorkspace({ VERSION: 'v1\n' }, config(base, { onlyA: true }));
  const inputs = (more: Record<string, string>) => fleetInputs(hosts, more);
  const run = (more: Record<string, string>, id: string, dir = ws.dir) =>
    runAction({ inputs: inputs(more), workspace: dir, env: { GITHUB_RUN_ID: id } });
  expectOk(await run({}, '4100'));
  const v1 = readlinkSync(at(base, 'a', 'current'));
  expect(readlinkSync(at(base, 'b', 'current'))).toBe(v1);
  ws.write('VERSION', 'v2\n');
  const staged = await run({ command: 'stage' }, '4242');
  expectOk(staged);
  const name = staged.outputs['release']!;
  for (const h of ['a', 'b']) expect(text(at(base, h, '.deploy/lock/owner'))).toBe(`stage-${name}`);

  writeFileSync(join(control, 'arm'), '');
  const sw = startAction({
    inputs: inputs({ command: 'switch', release: name }),
    workspace: ws.dir,
    env: { GITHUB_RUN_ID: '4243' },
  });
  const [a, b] = hosts.map((h) => `${h.user}@${h.host}:${h.port}`) as [string, string];
  await until("b's stat to sleep", () => existsSync(join(control, 'sleeping')));
  await sw.waitFor(`[${a}] ✓ stage check`);
  expect(sw.child.exitCode).toBe(null);

  // A second operator, with a deploy.yml that lists only host a, discards the stage there.
  const discard = await run({ command: 'discard', release: name }, '4300', older.dir);
  expectOk(discard);
  expect(existsSync(at(base, 'a', 'releases', name))).toBe(false);
  expect(existsSync(at(base, 'a', '.deploy/lock'))).toBe(false);
  expect(existsSync(at(base, 'a', '.deploy/stage'))).toBe(false);
  expect(text(at(base, 'b', '.deploy/lock/owner'))).toBe(`stage-${name}`);
  expect(existsSync(at(base, 'b', 'releases', name))).toBe(true);

  writeFileSync(join(control, 'go'), '');
  const r = await sw.done;
  expect(existsSync(join(control, 'arm'))).toBe(false);
  // The switch fails, naming host a and what is wrong there.
  expect(r.code).not.toBe(0);
  expect(r.stdout).toContain(`[${b}] ✓ stage check`);
  expect(r.stdout).toMatch(new RegExp(`${a.replace(/[.[\]]/g, '\\$&')}.*no longer staged here`));
  // Nothing switched anywhere: v1 live on both, v2 nowhere live.
  for (const h of ['a', 'b']) {
    expect(readlinkSync(at(base, h, 'current'))).toBe(v1);
    expect(liveVersion(base, h)).toBe('v1');
  }
  // Nothing false said: no host switched, each history has the stage's undo only, and host a (its stage gone) is
  // not called still staged.
  for (const said of [r.stdout, r.summary]) {
    expect(said).not.toMatch(/(?<!nothing was )switched|current → /);
    expect(said).not.toContain('still staged on');
  }
  expect(r.stdout).toContain(`the staged release ${name} was discarded on ${b}`);
  for (const h of ['a', 'b'])
    expect(historyOf(base, h).filter((e) => e['release'] === name)).toMatchObject([{ event: 'failed' }]);
  // b's take-over undid its stage as a failed switch does: the release, its hold and its stage record are gone.
  expect(existsSync(at(base, 'b', 'releases', name))).toBe(false);
  expect(existsSync(at(base, 'b', '.deploy/lock'))).toBe(false);
  expect(existsSync(at(base, 'b', '.deploy/stage'))).toBe(false);

  // The docs' recovery: discard (full config), then a fresh stage and switch.
  expectOk(await run({ command: 'discard', release: name }, '4301'));
  for (const h of ['a', 'b']) {
    expect(existsSync(at(base, h, '.deploy/lock'))).toBe(false);
    expect(existsSync(at(base, h, 'releases', name))).toBe(false);
  }
  const fresh = await run({ command: 'stage' }, '4400');
  expectOk(fresh);
  expectOk(await run({ command: 'switch', release: fresh.outputs['release']! }, '4401'));
  for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v2');
});
