/**
 * Issue 15, class 1: nothing outside deploy_path is written, moved, chmod-ed or deleted. A build (or a host) with
 * symlinks that lead out of the release or shared/ is deployed with each path-taking key (shared_dirs, shared_files,
 * writable_dirs, clear_paths), through the abort path and unlock's undo, and through delta pruning. A victim
 * directory outside the deploy path is hashed (path, type, mode, content, link target) before and after. Plus 7a: a
 * failed deploy that recycled the oldest release as its delta base leaves no manifest of it behind.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runAction, type ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace, sshInputs, type Workspace } from '../support/workspace.js';
import { checkInvariants, record, snapshot, treeHash } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
/** A host whose PATH starts with a `sudo` that logs each call and runs the command (the login user is root). */
let sudoHost: SshdHandle;
let fakeBin: string;
beforeAll(async () => {
  fakeBin = tempDir('da-fakesudo-');
  writeFileSync(
    join(fakeBin, 'sudo'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${fakeBin}/calls\n[ "$1" = -n ] && shift\nexec "$@"\n`,
  );
  chmodSync(join(fakeBin, 'sudo'), 0o755);
  [sshd, sudoHost] = await Promise.all([
    startSshd(),
    startSshd({ extraConfig: [`SetEnv PATH=${fakeBin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`] }),
  ]);
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), sudoHost?.stop()]);
});

const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

interface Setup {
  dp: string;
  victim: string;
  ws: Workspace;
  host: SshdHandle;
  /** Rewrites deploy.yml with these extra environment lines (each indented by 4). */
  config(lines: string[]): void;
  deploy(): Promise<ActionResult>;
  hash(): string;
}

/** A deploy path with one good release live, and a victim directory beside it (outside the deploy path). */
async function setup(lines: string[], host = sshd): Promise<Setup> {
  const root = tempDir('da-contain-');
  const dp = join(root, 'app');
  const victim = join(root, 'victim');
  for (const [path, body] of Object.entries({
    'data.txt': 'victim data\n',
    '.env': 'VICTIM=1\n',
    'app/keep.txt': 'victim app\n',
    'sub/x': 'x\n',
  })) {
    mkdirSync(join(victim, path, '..'), { recursive: true });
    writeFileSync(join(victim, path), body);
  }
  chmodSync(victim, 0o755);
  const ws = makeWorkspace({ VERSION: 'v1\n', 'public/index.html': '<h1>shop</h1>\n' }, '');
  const s: Setup = {
    dp,
    victim,
    ws,
    host,
    config(more) {
      writeFileSync(
        ws.config,
        `name: shop\nenvironments:\n  production:\n    hosts: [{ host: ${host.host}, user: ${host.user}, port: ${host.port} }]\n` +
          `    deploy_path: ${JSON.stringify(dp)}\n${more.some((l) => l.startsWith('keep_releases:')) ? '' : '    keep_releases: 3\n'}` +
          more.map((l) => `    ${l}\n`).join(''),
      );
    },
    deploy: () => runAction({ inputs: sshInputs(host), workspace: ws.dir }),
    hash: () => treeHash(victim),
  };
  s.config(lines);
  const first = await s.deploy();
  if (first.code !== 0) throw new Error(`the first (good) deploy failed:\n${first.stdout}`);
  return s;
}

/** The run failed naming the key, the path and the link; the victim and current are as before; invariants hold. */
async function expectRefused(
  s: Setup,
  r: ActionResult,
  message: string,
  victimBefore: string,
  before: ReturnType<typeof snapshot>,
) {
  expect(s.hash()).toBe(victimBefore);
  expect(errors(r).join('\n')).toContain(message);
  expect(r.code).not.toBe(0);
  expect(snapshot(s.dp).current).toBe(before.current);
  await checkInvariants({
    hosts: [{ name: `${s.host.user}@${s.host.host}:${s.host.port}`, deployPath: s.dp, before }],
    result: r,
  });
  record({
    invariants: '------',
    note: errors(r)[0]
      ?.replace(/^.*?path check: exited with code 1: error: /, '')
      .replace(s.victim, '<victim>'),
  });
}

/** Removes what the attack planted in the build, so a plain deploy can follow. */
function undoAttack(s: Setup, path: string) {
  rmSync(join(s.ws.app, path), { recursive: true, force: true });
}

describe('nothing outside deploy_path is touched', () => {
  test('shared_dirs [storage/app] with storage -> victim in the build (deployed twice)', async () => {
    const s = await setup(['shared_dirs: [storage/app]']);
    symlinkSync(s.victim, join(s.ws.app, 'storage'));
    const victimBefore = s.hash();
    for (let i = 0; i < 2; i++) {
      const before = snapshot(s.dp);
      const r = await s.deploy();
      await expectRefused(
        s,
        r,
        `shared_dirs: storage/app: storage is a symlink to ${s.victim}, outside the release`,
        victimBefore,
        before,
      );
    }
    undoAttack(s, 'storage');
    expect((await s.deploy()).code).toBe(0);
    expect(s.hash()).toBe(victimBefore);
  });

  test('shared_files [config/.env] with config -> victim in the build', async () => {
    const s = await setup(['shared_files: [config/.env]']);
    symlinkSync(s.victim, join(s.ws.app, 'config'));
    const victimBefore = s.hash();
    const before = snapshot(s.dp);
    const r = await s.deploy();
    await expectRefused(
      s,
      r,
      `shared_files: config/.env: config is a symlink to ${s.victim}, outside the release`,
      victimBefore,
      before,
    );
  });

  test('writable_dirs [uploads] (chmod 0777) with uploads -> victim, and [logs/app] with logs -> victim', async () => {
    const s = await setup([
      'writable_dirs: [uploads]',
      'writable_mode: chmod',
      'writable_chmod_mode: "0777"',
      'writable_recursive: true',
    ]);
    symlinkSync(s.victim, join(s.ws.app, 'uploads'));
    const victimBefore = s.hash();
    const before = snapshot(s.dp);
    const r = await s.deploy();
    await expectRefused(
      s,
      r,
      `writable_dirs: uploads: uploads is a symlink to ${s.victim}, outside the release`,
      victimBefore,
      before,
    );
    // A link in a parent: `mkdir -p logs/app` would create victim/app... and chmod it.
    undoAttack(s, 'uploads');
    symlinkSync('../../../victim', join(s.ws.app, 'logs'));
    s.config(['writable_dirs: [logs/new]', 'writable_mode: chmod', 'writable_chmod_mode: "0777"']);
    const r2 = await s.deploy();
    await expectRefused(
      s,
      r2,
      'writable_dirs: logs/new: logs is a symlink to ../../../victim, outside the release',
      victimBefore,
      before,
    );
    expect(existsSync(join(s.victim, 'new'))).toBe(false);
  });

  test('a writable dir that is a link inside the release is still made writable (the link is followed there)', async () => {
    const s = await setup(['writable_dirs: [uploads]', 'writable_mode: chmod', 'writable_chmod_mode: "0777"']);
    s.ws.write('public/uploads/.keep', '');
    symlinkSync('public/uploads', join(s.ws.app, 'uploads'));
    const r = await s.deploy();
    expect(errors(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(lstatSync(join(s.dp, 'current/public/uploads')).mode & 0o777).toBe(0o777);
  });

  test('writable_dirs [storage/logs] in a shared dir seeded by this deploy: a relative link that would lead out from shared/', async () => {
    const s = await setup([]);
    // From releases/<name>/storage the link is <deploy path>/shared/x (inside); seeded into shared/storage/ it would
    // be <deploy path>/../shared/x: a second victim.
    const victim2 = join(s.dp, '../shared/x');
    mkdirSync(victim2, { recursive: true });
    mkdirSync(join(s.dp, 'shared/x'));
    s.ws.write('storage/app/.keep', '');
    symlinkSync('../../../shared/x', join(s.ws.app, 'storage/logs'));
    // full_upload: a delta leaves shared paths out, and shared/storage would be seeded empty.
    s.config([
      'shared_dirs: [storage]',
      'writable_dirs: [storage/logs]',
      'writable_mode: chmod',
      'writable_chmod_mode: "0777"',
      'full_upload: true',
    ]);
    const victimBefore = s.hash();
    const mode = statSync(victim2).mode;
    const before = snapshot(s.dp);
    const r = await s.deploy();
    expect(statSync(victim2).mode).toBe(mode);
    await expectRefused(
      s,
      r,
      'writable_dirs: storage/logs: storage/logs is a symlink to ../../../shared/x; shared/ is seeded from this release',
      victimBefore,
      before,
    );
  });

  test('clear_paths [cache/data.txt] with cache -> victim in the build', async () => {
    const s = await setup(['clear_paths: [cache/data.txt]']);
    symlinkSync(s.victim, join(s.ws.app, 'cache'));
    const victimBefore = s.hash();
    const before = snapshot(s.dp);
    const r = await s.deploy();
    await expectRefused(
      s,
      r,
      `clear_paths: cache/data.txt: cache is a symlink to ${s.victim}, outside the release`,
      victimBefore,
      before,
    );
  });

  test('sudo variants: the check runs as the deploy user before sudo is called', async () => {
    const s = await setup(
      [
        'writable_dirs: [uploads]',
        'writable_mode: chmod',
        'writable_chmod_mode: "0777"',
        'writable_use_sudo: true',
        'clear_paths: [cache/data.txt]',
        'clear_use_sudo: true',
      ],
      sudoHost,
    );
    expect(readFileSync(join(fakeBin, 'calls'), 'utf8')).toMatch(/chmod/); // the fake sudo is the one the host uses
    rmSync(join(fakeBin, 'calls'));
    symlinkSync(s.victim, join(s.ws.app, 'uploads'));
    symlinkSync(s.victim, join(s.ws.app, 'cache'));
    const victimBefore = s.hash();
    const before = snapshot(s.dp);
    const r = await s.deploy();
    await expectRefused(s, r, 'is a symlink to', victimBefore, before);
    expect(r.stdout).toContain(`writable_dirs: uploads: uploads is a symlink to ${s.victim}, outside the release`);
    expect(r.stdout).toContain(`clear_paths: cache/data.txt: cache is a symlink to ${s.victim}, outside the release`);
    expect(existsSync(join(fakeBin, 'calls'))).toBe(false);
  });

  test('a link planted in shared/ on the host (shared/storage -> victim) with a failing deploy hook: nothing seeded or removed there', async () => {
    const s = await setup(['shared_dirs: [storage/app]']);
    // The victim has no app/ yet: seeding would create victim/app, the abort path would then rm -rf it.
    rmSync(join(s.victim, 'app'), { recursive: true });
    rmSync(join(s.dp, 'shared/storage'), { recursive: true });
    symlinkSync(s.victim, join(s.dp, 'shared/storage'));
    s.ws.write('storage/app/seed.txt', 'seed\n');
    const seen = join(s.victim, '..', 'hook-saw');
    s.config(['shared_dirs: [storage/app]', `deploy: [${JSON.stringify(`ls ${s.victim} > ${seen}; exit 3`)}]`]);
    const victimBefore = s.hash();
    const before = snapshot(s.dp);
    const r = await s.deploy();
    await expectRefused(
      s,
      r,
      `shared_dirs: storage/app: shared/storage is a symlink to ${s.victim}, outside shared/`,
      victimBefore,
      before,
    );
    expect(existsSync(seen)).toBe(false); // refused before the hook (and before any seeding)
  });

  test("unlock's undo of a dead run's pending record never follows a link in shared/ and never leaves releases/", async () => {
    const s = await setup(['shared_dirs: [storage/app]']);
    rmSync(join(s.dp, 'shared/storage'), { recursive: true });
    symlinkSync(s.victim, join(s.dp, 'shared/storage'));
    mkdirSync(join(s.dp, '.deploy/lock'));
    writeFileSync(join(s.dp, '.deploy/lock/owner'), 'dead-run\n');
    writeFileSync(join(s.dp, '.deploy/lock/info.json'), '{"run":"dead","pid":999999999,"boot_id":"x"}\n');
    writeFileSync(
      join(s.dp, '.deploy/pending/dead-run'),
      'release ../../victim/sub\nseeded storage/app\nseeded ../../victim/data.txt\nrelease ..\n',
    );
    const victimBefore = s.hash();
    const r = await runAction({ inputs: sshInputs(sshd, { command: 'unlock' }), workspace: s.ws.dir });
    expect(r.code).toBe(0);
    expect(s.hash()).toBe(victimBefore);
    expect(existsSync(join(s.dp, 'releases'))).toBe(true);
    expect(existsSync(join(s.dp, '.deploy/lock'))).toBe(false);
  });

  test('delta pruning through a link planted in the live release: the link goes, never what it points at', async () => {
    const s = await setup([]);
    s.ws.write('cache/x.txt', 'x v1\n');
    s.ws.write('cache/y.txt', 'y v1\n');
    s.ws.write('cache/z.txt', 'z v1\n');
    expect((await s.deploy()).code).toBe(0);
    const live = snapshot(s.dp).current;
    // On the host, the live release's cache/ becomes a link to the victim (which has the same names).
    for (const f of ['x.txt', 'y.txt', 'z.txt']) writeFileSync(join(s.victim, f), `victim ${f}\n`);
    rmSync(join(s.dp, live, 'cache'), { recursive: true });
    symlinkSync(s.victim, join(s.dp, live, 'cache'));
    // The next build drops cache/x.txt (the remove list) and changes cache/y.txt (sent).
    rmSync(join(s.ws.app, 'cache/x.txt'));
    s.ws.write('cache/y.txt', 'y v2\n');
    const victimBefore = s.hash();
    const r = await s.deploy();
    expect(s.hash()).toBe(victimBefore);
    expect(r.code).toBe(0);
    const now = snapshot(s.dp).current;
    expect(now).not.toBe(live);
    expect(lstatSync(join(s.dp, now, 'cache')).isDirectory()).toBe(true);
    expect(readdirSync(join(s.dp, now, 'cache')).sort()).toEqual(['y.txt', 'z.txt']);
    expect(readFileSync(join(s.dp, now, 'cache/y.txt'), 'utf8')).toBe('y v2\n');
  });
});

describe('7a: a failed deploy that recycled a release leaves none of its manifests behind', () => {
  test('keep_releases 2, a third deploy recycles the oldest release, its hook fails', async () => {
    const s = await setup(['keep_releases: 2']);
    s.ws.write('VERSION', 'v2\n');
    expect((await s.deploy()).code).toBe(0);
    s.config(['keep_releases: 2', 'deploy: ["exit 4"]']);
    s.ws.write('VERSION', 'v3\n');
    const before = snapshot(s.dp);
    const r = await s.deploy();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/reusing releases\//);
    const releases = readdirSync(join(s.dp, 'releases'));
    const manifests = readdirSync(join(s.dp, '.deploy/manifests'));
    const orphans = manifests.filter((m) => !releases.includes(m.replace(/\.(gz|idx)$/, '')));
    expect(orphans).toEqual([]);
    expect(snapshot(s.dp).current).toBe(before.current);
  });
});
