import { spawnSync } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { gzipSync } from 'node:zlib';
import { excluder } from '../../src/artifact/exclude.js';
import { buildManifest, serializeManifest } from '../../src/artifact/manifest.js';
import { walk } from '../../src/artifact/tree.js';
import { delta, verify } from '../../src/remote/steps/delta.js';
import { Readable } from 'node:stream';
import { framed } from '../../src/artifact/follow.js';
import { join, posix } from 'node:path';
import type { Step } from '../../src/remote/phase.js';
import { q } from '../../src/remote/quote.js';
import { HostSession } from '../../src/remote/session.js';
import { clearPaths } from '../../src/remote/steps/clear-paths.js';
import { lock, unlock } from '../../src/remote/steps/lock.js';
import { inspect } from '../../src/remote/steps/inspect.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { release } from '../../src/remote/steps/release.js';
import { shared, sharedLinkTarget } from '../../src/remote/steps/shared.js';
import { needsHttpUser, writable, type WritableOptions } from '../../src/remote/steps/writable.js';
import { LocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../support/temp-dirs.js';

describe('sharedLinkTarget', () => {
  const dp = '/var/www/app';
  test.each(['storage', '.env', 'bootstrap/cache', 'config/app.env', 'a/b/c', 'web/app/uploads', "it's a/dir"])(
    '%s: the link in releases/<name>/ resolves to shared/<path>',
    (path) => {
      const target = sharedLinkTarget(path);
      expect(target).not.toMatch(/^\//); // relative, so the deploy tree can move
      const linkDir = posix.dirname(posix.join(dp, 'releases', '20240101120000', path));
      expect(posix.resolve(linkDir, target)).toBe(`${dp}/shared/${path}`);
    },
  );

  test('depths 1, 2 and 3 climb 2, 3 and 4 levels', () => {
    expect(sharedLinkTarget('storage')).toBe('../../shared/storage');
    expect(sharedLinkTarget('bootstrap/cache')).toBe('../../../shared/bootstrap/cache');
    expect(sharedLinkTarget('a/b/c')).toBe('../../../../shared/a/b/c');
  });
});

describe('steps with nothing to do are left out', () => {
  test('shared() with no dirs and no files', () => {
    expect(shared({ dirs: [], files: [] })).toBeNull();
    expect(shared({ dirs: ['storage'], files: [] })).not.toBeNull();
    expect(shared({ dirs: [], files: ['.env'] })).not.toBeNull();
  });

  test('clearPaths() with no paths', () => {
    expect(clearPaths({ paths: [], useSudo: false })).toBeNull();
    expect(clearPaths({ paths: [], useSudo: true })).toBeNull();
  });

  test('writable() with no dirs, or mode skip', () => {
    expect(writable({ ...base, dirs: [] })).toBeNull();
    expect(writable({ ...base, mode: 'skip' })).toBeNull();
    expect(writable({ ...base, mode: 'skip', httpUser: undefined })).toBeNull();
  });
});

describe('clearPaths', () => {
  test('removes the paths inside the new release only (one rm), quoted, with sudo when asked', () => {
    const step = clearPaths({ paths: ['tests', "a b/it's"], useSudo: false })!;
    expect(step.id).toBe('clear_paths');
    expect(step.body).toContain(`rm -rf -- "releases/$DA_RELEASE/"tests "releases/$DA_RELEASE/"${q("a b/it's")}`);
    expect(step.body).not.toContain('sudo');
    const sudo = clearPaths({ paths: ['tests'], useSudo: true })!;
    expect(sudo.body).toContain(`sudo -n rm -rf -- "releases/$DA_RELEASE/"tests`);
  });
});

const base: WritableOptions = {
  dirs: ['storage', 'bootstrap/cache', 'dir with space'],
  mode: 'chmod',
  useSudo: false,
  recursive: true,
  chmodMode: '0775',
  httpUser: 'www-data',
  httpGroup: 'www-data',
};
const DIRS = `storage bootstrap/cache 'dir with space'`;
const DIRS_SLASH = `storage/ bootstrap/cache/ 'dir with space'/`;

describe('writable', () => {
  test('runs in the new release and creates the directories first', () => {
    const body = writable(base)!.body.split('\n');
    expect(body[0]).toBe('cd -- "releases/$DA_RELEASE"');
    expect(body[1]).toBe(`mkdir -p -- ${DIRS}`);
  });

  test('chmod: chmod -R -- <mode> (options and -- before the mode: no GNU argument permutation) on the dirs; without recursion no -R; with sudo', () => {
    expect(writable(base)!.body).toContain(`\nchmod -R -- 0775 ${DIRS}\n`);
    expect(writable({ ...base, recursive: false })!.body).toContain(`\nchmod -- 0775 ${DIRS}\n`);
    expect(writable({ ...base, useSudo: true })!.body).toContain(`\nsudo -n chmod -R -- 0775 ${DIRS}\n`);
    expect(writable({ ...base, chmodMode: 'g+w' })!.body).toContain(`\nchmod -R -- g+w ${DIRS}\n`);
  });

  test('chown: to http_user; recursive with -h on each dir/ (a link inside is changed itself, never its target)', () => {
    expect(writable({ ...base, mode: 'chown', httpUser: 'nginx' })!.body).toContain(
      `\nchown -R -h -- nginx ${DIRS_SLASH}\n`,
    );
    expect(writable({ ...base, mode: 'chown', useSudo: true, recursive: false })!.body).toContain(
      `\nsudo -n chown -- www-data ${DIRS}\n`,
    );
  });

  test('chgrp: to http_group', () => {
    expect(writable({ ...base, mode: 'chgrp', httpGroup: 'web' })!.body).toContain(
      `\nchgrp -R -h -- web ${DIRS_SLASH}\n`,
    );
  });

  test('acl: setfacl for http_user and the deploy user, access and default ACLs, checking setfacl exists', () => {
    const body = writable({ ...base, mode: 'acl' })!.body;
    expect(body).toContain('command -v setfacl');
    expect(body).toContain('install the acl package');
    expect(body).toContain('me=$(id -un)');
    expect(body).toContain(`for dir in ${DIRS}; do`);
    // No -L: setfacl -R follows the dirs named, never a link met inside them.
    expect(body).toContain('setfacl -R -m u:www-data:rwX -m "u:$me:rwX" -- "$dir"');
    expect(body).toContain('setfacl -d -R -m u:www-data:rwX -m "u:$me:rwX" -- "$dir"');
    expect(body).not.toMatch(/setfacl -d?L/);
    const sudo = writable({ ...base, mode: 'acl', useSudo: true })!.body;
    expect(sudo).toContain(`sudo -n setfacl -R -m u:www-data:rwX -m "u:$me:rwX" -- ${DIRS}`);
    expect(sudo).toContain(`sudo -n setfacl -d -R -m u:www-data:rwX -m "u:$me:rwX" -- ${DIRS}`);
  });

  test('each mode reports what it did', () => {
    for (const mode of ['chmod', 'chown', 'chgrp', 'acl'] as const) {
      expect(writable({ ...base, mode })!.body).toMatch(
        new RegExp(`echo "made 3 directories writable \\(${mode}\\)"$`),
      );
    }
  });

  test.each([
    ['acl', { httpUser: undefined }, /http_user is needed for this writable_mode/],
    ['acl', { httpUser: '' }, /http_user is needed/],
    ['chown', { httpUser: undefined }, /http_user is needed for this writable_mode/],
    ['chgrp', { httpGroup: undefined }, /http_group is needed for this writable_mode/],
  ] as const)('%s without the needed user/group throws a clear error', (mode, missing, message) => {
    expect(() => writable({ ...base, mode, ...missing })).toThrow(message);
  });

  test('chmod needs neither http_user nor http_group', () => {
    expect(writable({ ...base, httpUser: undefined, httpGroup: undefined })).not.toBeNull();
    expect(writable({ ...base, mode: 'chgrp', httpUser: undefined })).not.toBeNull();
    expect(needsHttpUser('acl')).toBe(true);
    expect(needsHttpUser('chown')).toBe(true);
    expect(needsHttpUser('chmod')).toBe(false);
    expect(needsHttpUser('chgrp')).toBe(false);
  });
});

// --- real runs over the local transport -------------------------------------------------------------------------

function openSession(dp: string): HostSession {
  return HostSession.open(new LocalTransport(), {
    markerToken: `t${Math.random().toString(16).slice(2)}`,
    owner: 'run-1',
    deployPath: dp,
    idleSeconds: 30,
    runJson: '"sha":"abc"',
  });
}

/** A step that writes files into the new release, as the upload would. */
function populate(files: Record<string, string>): Step {
  const lines = Object.entries(files).map(([path, body]) => {
    const dir = posix.dirname(path);
    return `mkdir -p -- "releases/$DA_RELEASE/"${q(dir)} && printf '%s' ${q(body)} > "releases/$DA_RELEASE/"${q(path)}`;
  });
  return { id: 'populate', label: 'populate', body: lines.join('\n') };
}

const SPACEY_DIR = "stor age/it's dir";
const SPACEY_FILE = "conf ig/it's.env";
const SHARED = {
  dirs: ['bootstrap/cache', SPACEY_DIR, 'storage/logs'],
  files: ['config/app.env', SPACEY_FILE, '.env'],
};

async function deployRelease(dp: string, name: string, version: string) {
  const s = await openSession(dp);
  const outLines: string[] = [];
  const result = await s.run({
    name: 'stage',
    vars: { DA_RELEASE: name },
    steps: [
      prepare(),
      lock('"test":"steps"'),
      release(),
      populate({
        'bootstrap/cache/services.php': `services ${version}`,
        [`${SPACEY_DIR}/data.txt`]: `data ${version}`,
        'config/app.env': `APP=${version}`,
        [SPACEY_FILE]: `QUOTED=${version}`,
      }),
      shared(SHARED)!,
      unlock(),
    ],
  });
  for (const st of result.steps) outLines.push(...st.tail);
  await s.end();
  return { result, output: outLines.join('\n') };
}

describe('shared (real run)', () => {
  let root: string;
  let dp: string;
  beforeEach(() => {
    root = tempDir('da-shared-');
    dp = join(root, 'app $(touch pwned)');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('the first deploy seeds shared/ from the release; the second links to it and overwrites nothing', async () => {
    const first = await deployRelease(dp, 'r1', 'v1');
    expect(first.result.steps.map((x) => `${x.id}:${x.status}`)).toEqual([
      'prepare:ok',
      'lock:ok',
      'release:ok',
      'populate:ok',
      'shared:ok',
      'unlock:ok',
    ]);
    expect(first.output).toContain('seeded shared/bootstrap/cache');
    expect(first.output).toContain(`seeded shared/${SPACEY_FILE}`);
    expect(first.output).toContain('linked 6 shared entries');

    // seeded from the release
    expect(readFileSync(join(dp, 'shared/bootstrap/cache/services.php'), 'utf8')).toBe('services v1');
    expect(readFileSync(join(dp, 'shared', SPACEY_DIR, 'data.txt'), 'utf8')).toBe('data v1');
    expect(readFileSync(join(dp, 'shared/config/app.env'), 'utf8')).toBe('APP=v1');
    expect(readFileSync(join(dp, 'shared', SPACEY_FILE), 'utf8')).toBe('QUOTED=v1');
    // absent from the release: an empty dir and an empty file
    expect(statSync(join(dp, 'shared/storage/logs')).isDirectory()).toBe(true);
    expect(readdirSync(join(dp, 'shared/storage/logs'))).toEqual([]);
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe('');

    // the release holds links, with the relative target, that resolve into shared/
    for (const path of [...SHARED.dirs, ...SHARED.files]) {
      const link = join(dp, 'releases/r1', path);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(sharedLinkTarget(path));
    }
    expect(readFileSync(join(dp, 'releases/r1/config/app.env'), 'utf8')).toBe('APP=v1');
    expect(readFileSync(join(dp, 'releases/r1', SPACEY_DIR, 'data.txt'), 'utf8')).toBe('data v1');

    const second = await deployRelease(dp, 'r2', 'v2');
    expect(second.result.ok).toBe(true);
    expect(second.output).not.toContain('seeded');
    // shared/ kept the first release's content
    expect(readFileSync(join(dp, 'shared/bootstrap/cache/services.php'), 'utf8')).toBe('services v1');
    expect(readFileSync(join(dp, 'shared', SPACEY_DIR, 'data.txt'), 'utf8')).toBe('data v1');
    expect(readFileSync(join(dp, 'shared/config/app.env'), 'utf8')).toBe('APP=v1');
    expect(readFileSync(join(dp, 'shared', SPACEY_FILE), 'utf8')).toBe('QUOTED=v1');
    // no copy of the release's entry nested inside the shared dir either
    expect(existsSync(join(dp, 'shared/bootstrap/cache/cache'))).toBe(false);
    expect(readdirSync(join(dp, 'shared/bootstrap/cache'))).toEqual(['services.php']);
    // and the new release sees the shared content through its links
    expect(readFileSync(join(dp, 'releases/r2/config/app.env'), 'utf8')).toBe('APP=v1');
    expect(readFileSync(join(dp, 'releases/r2', SPACEY_FILE), 'utf8')).toBe('QUOTED=v1');
    expect(readFileSync(join(dp, 'releases/r2/bootstrap/cache/services.php'), 'utf8')).toBe('services v1');
    expect(lstatSync(join(dp, 'releases/r2', SPACEY_DIR)).isSymbolicLink()).toBe(true);

    expect(existsSync(join(root, 'pwned'))).toBe(false);
    expect(readdirSync(join(dp, '.deploy/pending'))).toEqual([]);
  });

  test('a shared path that exists with the wrong type fails the step with a clear message', async () => {
    await deployRelease(dp, 'r1', 'v1');
    rmSync(join(dp, 'shared/config/app.env'));
    spawnSync('mkdir', ['-p', join(dp, 'shared/config/app.env')]);
    const again = await deployRelease(dp, 'r2', 'v2');
    expect(again.result.ok).toBe(false);
    expect(again.result.failed?.id).toBe('shared');
    expect(again.result.failed?.tail.join('\n')).toContain('shared/config/app.env exists but is not a regular file');
  });
});

async function runWritable(opts: WritableOptions) {
  const dp = tempDir('da-writable-');
  const s = await openSession(dp);
  const result = await s.run({
    name: 'w',
    vars: { DA_RELEASE: 'r1' },
    steps: [prepare(), lock('"test":"steps"'), release(), writable(opts)!, unlock()],
  });
  await s.end();
  return { dp, result };
}

describe('writable (real runs)', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  test('chmod creates the dirs in the release and sets the mode, on paths with spaces too', async () => {
    // Not recursive: see the report on `chmod -R -H` (GNU chmod before coreutils 9.6 has no -H).
    const { dp, result } = await runWritable({ ...base, recursive: false, chmodMode: '0751' });
    made.push(dp);
    expect(result.failed?.tail).toBeUndefined();
    expect(result.ok).toBe(true);
    for (const d of base.dirs) expect(statSync(join(dp, 'releases/r1', d)).mode & 0o7777).toBe(0o751);
  });

  test('chgrp -R to a group the user belongs to', async () => {
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g'], { encoding: 'utf8' }).stdout.trim();
    const { dp, result } = await runWritable({ ...base, mode: 'chgrp', httpGroup: group, recursive: true });
    made.push(dp);
    expect(result.failed?.tail).toBeUndefined();
    expect(result.ok).toBe(true);
    for (const d of base.dirs) expect(String(statSync(join(dp, 'releases/r1', d)).gid)).toBe(gid);
    expect(result.steps.find((x) => x.id === 'writable')?.tail).toContain('made 3 directories writable (chgrp)');
  });
});

describe('writable chmod, recursive (GNU chmod has no -H)', () => {
  test('renders chmod -R without -H, and chown/chgrp with -R -h on dir/', () => {
    const base = {
      dirs: ['storage'],
      useSudo: false,
      recursive: true,
      chmodMode: '0775',
      httpUser: 'www-data',
      httpGroup: 'www-data',
    };
    expect(writable({ ...base, mode: 'chmod' })!.body).toContain('chmod -R -- 0775 storage');
    expect(writable({ ...base, mode: 'chmod' })!.body).not.toContain('-H');
    expect(writable({ ...base, mode: 'chown' })!.body).toContain('chown -R -h -- www-data storage/');
    expect(writable({ ...base, mode: 'chgrp' })!.body).toContain('chgrp -R -h -- www-data storage/');
  });
});

describe('verify (real runs)', () => {
  /** A build dir and its manifest, stored as the host keeps it; then the release is made as `arrange` says. */
  async function staged(arrange: (release: string) => void) {
    const dp = tempDir('da-verify-');
    const build = tempDir('da-verify-build-');
    mkdirSync(join(build, 'app/sub'), { recursive: true });
    mkdirSync(join(build, 'storage'));
    writeFileSync(join(build, 'app/a.php'), 'a\n');
    writeFileSync(join(build, "app/sub/it's b.php"), 'b\n');
    writeFileSync(join(build, 'storage/seed'), 'seed\n');
    symlinkSync('app/a.php', join(build, 'link'));
    mkdirSync(join(dp, '.deploy/manifests'), { recursive: true });
    const manifest = await buildManifest(build, await walk(build, excluder([])));
    writeFileSync(join(dp, '.deploy/manifests/r1.gz'), gzipSync(serializeManifest(manifest)));
    mkdirSync(join(dp, 'releases'));
    cpSync(build, join(dp, 'releases/r1'), { recursive: true, verbatimSymlinks: true });
    arrange(join(dp, 'releases/r1'));
    await new Promise((r) => setTimeout(r, 20)); // past the index's racy window
    const s = openSession(dp);
    const r = await s.run({
      name: 'stage',
      vars: { DA_RELEASE: 'r1', DA_BASE: 'r0' },
      steps: [verify({ skip: ['storage'] })],
    });
    s.endNow();
    const log = r.steps.flatMap((x) => x.tail).join('\n');
    return { dp, r, log };
  }

  test('a release that matches the build passes, and gets an index of its files (skipped paths left alone)', async () => {
    const { dp, r, log } = await staged((rel) => writeFileSync(join(rel, 'storage/extra'), 'written by the app\n'));
    expect(r.ok && !r.stopped).toBe(true);
    expect(log).toContain('verified against the build');
    const index = readFileSync(join(dp, '.deploy/manifests/r1.idx'), 'utf8').split('\0').filter(Boolean);
    expect(index.map((l) => l.split('\t')[2]).sort()).toEqual(['app/a.php', "app/sub/it's b.php"]);
  });

  test('every kind of difference stops the phase (for a full upload instead) and is named, without an index', async () => {
    const { dp, r, log } = await staged((rel) => {
      writeFileSync(join(rel, 'app/a.php'), 'changed\n');
      rmSync(join(rel, "app/sub/it's b.php"));
      writeFileSync(join(rel, 'app/extra.php'), 'x\n');
      rmSync(join(rel, 'link'));
      symlinkSync("app/sub/it's b.php", join(rel, 'link'));
    });
    expect(r.stopped).toBe(true);
    expect(r.data.get('verify')).toEqual(['mismatch']);
    for (const line of [
      'content differs: app/a.php',
      "missing: app/sub/it's b.php",
      'not in the build: app/extra.php',
      'link target differs: link',
    ]) {
      expect(log).toContain(line);
    }
    expect(existsSync(join(dp, '.deploy/manifests/r1.idx'))).toBe(false);
  });

  test('a file where the build has a directory is a difference too', async () => {
    const { r, log } = await staged((rel) => {
      rmSync(join(rel, 'app/sub'), { recursive: true });
      writeFileSync(join(rel, 'app/sub'), 'not a dir\n');
    });
    expect(r.stopped).toBe(true);
    expect(log).toContain('type differs: app/sub');
  });
});

describe('the delta base inspect offers (real runs)', () => {
  const asRoot = process.getuid?.() === 0 ? test : test.skip;

  /** Inspect's offer, then what the walk after that phase found (the next phase sees it). */
  async function offer(arrange: (dp: string) => void) {
    const dp = tempDir('da-offer-');
    for (const name of ['r1', 'r2']) {
      mkdirSync(join(dp, 'releases', name, 'app'), { recursive: true });
      writeFileSync(join(dp, 'releases', name, 'app/a.php'), 'a\n');
    }
    mkdirSync(join(dp, '.deploy/manifests'), { recursive: true });
    writeFileSync(
      join(dp, '.deploy/manifests/r1.gz'),
      gzipSync('f\t0644\t0123456789abcdef0123456789abcdef\tapp/a.php\0'),
    );
    symlinkSync('releases/r2', join(dp, 'current'));
    arrange(dp);
    const s = openSession(dp);
    const r = await s.run({ name: 'inspect', steps: [inspect({ detectHttpUser: false, offerBaseFrom: 2 })] });
    const walked = await s.run({
      name: 'look',
      steps: [
        {
          id: 'look',
          label: 'look',
          body: 'l=".deploy/tmp.$DA_OWNER/base.r1"; [ ! -f "$l" ] || da_data listed "$(tr \'\\0\' \' \' < "$l")"; [ ! -s "$l.foreign" ] || da_data foreign "$(cat "$l.foreign")"',
        },
      ],
    });
    s.endNow();
    return {
      name: r.data.get('base-name'),
      manifest: r.bytes.get('base-manifest'),
      listed: walked.data.get('listed')?.[0],
      foreign: walked.data.get('foreign')?.[0],
    };
  }

  test('the oldest release that is not live is offered with its manifest, and walked after the phase', async () => {
    const o = await offer(() => undefined);
    expect(o.name).toEqual(['r1']);
    expect(o.manifest).toHaveLength(1);
    expect(o.listed?.trim().split(' ').sort()).toEqual(['app', 'app/a.php']);
    expect(o.foreign).toBeUndefined();
  });

  asRoot(
    'a release whose directory belongs to another user is named but not offered; a foreign entry inside is found by the walk after the phase',
    async () => {
      expect((await offer((dp) => chownSync(join(dp, 'releases/r1'), 12345, 12345))).manifest).toBeUndefined();
      const inside = await offer((dp) => chownSync(join(dp, 'releases/r1/app/a.php'), 12345, 12345));
      expect(inside.manifest).toHaveLength(1);
      expect(inside.foreign).toBe('releases/r1/app/a.php');
    },
  );

  test('a base whose walk found a foreign entry stops the delta before it is moved, and the payload is read and dropped, not run', async () => {
    const dp = tempDir('da-offer-');
    mkdirSync(join(dp, 'releases/r1/app'), { recursive: true });
    mkdirSync(join(dp, 'releases/r3'), { recursive: true });
    mkdirSync(join(dp, '.deploy/manifests'), { recursive: true });
    mkdirSync(join(dp, '.deploy/tmp.run-1'), { recursive: true });
    writeFileSync(join(dp, '.deploy/manifests/r1.gz'), gzipSync('d\t0755\t-\tapp\0'));
    writeFileSync(join(dp, '.deploy/tmp.run-1/base.r1'), 'app\0');
    writeFileSync(join(dp, '.deploy/tmp.run-1/base.r1.foreign'), 'releases/r1/app/cache.bin\n');
    // Framed like a phase: left unread, the session would take these chunks for its next phases and run them.
    const trap = (name: string) => Buffer.from(`touch ${q(join(dp, name))}\n`);
    const payload = {
      open: () =>
        Readable.from(
          (async function* () {
            yield* framed([trap('ran-archive')]);
            yield* framed([trap('ran-manifest')]);
          })(),
        ),
    };
    const s = openSession(dp);
    const r = await s.run(
      {
        name: 'stage',
        vars: { DA_RELEASE: 'r3', DA_BASE: 'r1' },
        steps: [delta({ skip: [], removeB64: '', revision: 'abc', files: { sent: 1, unchanged: 0 }, base: 'recycle' })],
      },
      payload,
    );
    expect(r.stopped).toBe(true);
    expect(r.data.get('base')).toEqual(['foreign']);
    const next = await s.run({ name: 'next', steps: [{ id: 'next', label: 'next', body: 'da_data next ran' }] });
    s.endNow();
    expect(next.data.get('next')).toEqual(['ran']);
    expect(existsSync(join(dp, 'ran-archive')) || existsSync(join(dp, 'ran-manifest'))).toBe(false);
    expect(existsSync(join(dp, 'releases/r1/app'))).toBe(true); // not moved
    expect(existsSync(join(dp, '.deploy/check-base-first'))).toBe(true);
  });

  asRoot(
    'after a walk found a foreign entry (.deploy/check-base-first), a release is walked before it is offered, and a clean walk ends that',
    async () => {
      const flagged = (dp: string) => writeFileSync(join(dp, '.deploy/check-base-first'), '');
      expect(
        (
          await offer((dp) => {
            flagged(dp);
            chownSync(join(dp, 'releases/r1/app/a.php'), 12345, 12345);
          })
        ).manifest,
      ).toBeUndefined();
      let dir = '';
      const clean = await offer((dp) => {
        flagged(dp);
        dir = dp;
      });
      expect(clean.manifest).toHaveLength(1);
      expect(existsSync(join(dir, '.deploy/check-base-first'))).toBe(false);
    },
  );
});

describe('prepare and release refuse links planted in the layout (real runs)', () => {
  let root: string;
  let dp: string;
  let victim: string;
  beforeEach(() => {
    root = tempDir('da-layout-');
    dp = join(root, 'app');
    victim = join(root, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep.txt'), 'keep\n');
    mkdirSync(join(dp, 'releases'), { recursive: true });
    mkdirSync(join(dp, 'shared'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test.each(['.deploy', 'releases'])(
    '%s -> outside: prepare fails naming the link, and nothing lands outside',
    async (name) => {
      rmSync(join(dp, name), { recursive: true, force: true });
      symlinkSync(victim, join(dp, name));
      const s = openSession(dp);
      const result = await s.run({ name: 'stage', vars: { DA_RELEASE: 'r1' }, steps: [prepare(), release()] });
      s.destroy(); // a phase that went through would leave the session waiting for the next
      expect(result.ok).toBe(false);
      expect(result.failed?.id).toBe('prepare');
      expect(result.failed?.tail.join('\n')).toContain(`${dp}/${name} is a symlink (to ${victim})`);
      expect(readdirSync(victim)).toEqual(['keep.txt']);
    },
  );

  test('a link planted under the new release manifest name: the release step refuses before anything is written through it', async () => {
    mkdirSync(join(dp, '.deploy/manifests'), { recursive: true });
    mkdirSync(join(dp, '.deploy/pending'));
    symlinkSync(join(victim, 'keep.txt'), join(dp, '.deploy/manifests/r1.gz'));
    const s = openSession(dp);
    const result = await s.run({ name: 'stage', vars: { DA_RELEASE: 'r1' }, steps: [prepare(), release()] });
    s.destroy();
    expect(result.failed?.id).toBe('release');
    expect(result.failed?.tail.join('\n')).toContain('.deploy/manifests/r1.gz is a symlink planted');
    expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('keep\n');
  });
});
