/**
 * The containment helpers (src/remote/contain.ts) run for real in bash against small trees with symlinks: the path
 * check step, the prelude's parent walk, delta pruning; plus the writable commands under POSIXLY_CORRECT.
 */
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { contain, CONTAIN_PRELUDE, PRUNE_FUNCTION } from '../../src/remote/contain.js';
import { writable } from '../../src/remote/steps/writable.js';
import { tempDir } from '../support/temp-dirs.js';

/** A deploy path with releases/r1 and shared/, and a victim directory beside it. */
function tree(): { dp: string; victim: string; rel: string } {
  const root = tempDir('da-contain-unit-');
  const dp = join(root, 'app');
  const victim = join(root, 'victim');
  mkdirSync(join(dp, 'releases/r1'), { recursive: true });
  mkdirSync(join(dp, 'shared'));
  mkdirSync(join(victim, 'sub'), { recursive: true });
  writeFileSync(join(victim, 'data.txt'), 'victim\n');
  return { dp, victim, rel: join(dp, 'releases/r1') };
}

/** Runs a step body as da_step would: in a subshell with `set -euo pipefail`, cwd = deploy path. */
function runBody(dp: string, body: string, env: Record<string, string> = {}) {
  const script = `set -u\nDA_DEPLOY_PATH=${JSON.stringify(dp)}\nDA_RELEASE=r1\ncd -- "$DA_DEPLOY_PATH"\n${CONTAIN_PRELUDE}\nda_f() {\n${body}\n}\n( set -euo pipefail; da_f ) 2>&1`;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('contain(): which root each entry is checked in', () => {
  test('nothing configured: no step', () => {
    expect(contain({ sharedDirs: [], sharedFiles: [], writableDirs: [], clearPaths: [] })).toBeNull();
  });

  test('shared entries in the release and in shared/; writable and cleared paths below a shared dir in shared/', () => {
    const body = contain({
      sharedDirs: ['storage'],
      sharedFiles: ['.env'],
      writableDirs: ['storage', 'storage/logs', 'uploads'],
      clearPaths: ['storage/cache', 'storage', 'tests'],
    })!.body;
    const checks = body
      .slice(body.indexOf('\nok=1\n') + 6)
      .split('\n')
      .slice(0, -2);
    const seeding =
      'if [ -d "releases/$DA_RELEASE/"storage ] && [ ! -L "releases/$DA_RELEASE/"storage ] && [ ! -e shared/storage ] && [ ! -L shared/storage ]; then';
    expect(checks).toEqual([
      'da_contain shared_dirs "releases/$DA_RELEASE" storage any || ok=',
      'da_contain shared_files "releases/$DA_RELEASE" .env any || ok=',
      'da_contain shared_dirs shared storage real || ok=',
      'da_contain shared_files shared .env real || ok=',
      // storage itself is the shared link: checked as a shared dir above. Below it: in shared/, or in the release
      // when shared/storage is about to be seeded from it.
      seeding,
      '  da_contain writable_dirs "releases/$DA_RELEASE" storage/logs seeded || ok=',
      'else da_contain writable_dirs shared storage/logs inside || ok=; fi',
      'da_contain writable_dirs "releases/$DA_RELEASE" uploads inside || ok=',
      seeding,
      '  da_contain clear_paths "releases/$DA_RELEASE" storage/cache any || ok=',
      'else da_contain clear_paths shared storage/cache any || ok=; fi',
      'da_contain clear_paths "releases/$DA_RELEASE" storage any || ok=',
      'da_contain clear_paths "releases/$DA_RELEASE" tests any || ok=',
    ]);
    expect(body).toContain('echo "checked 9 paths: none leads out of the release or shared/"');
    expect(body).not.toMatch(/sudo/);
  });

  test('a path with quotes and spaces stays one word', () => {
    const body = contain({ sharedDirs: [], sharedFiles: [], writableDirs: [], clearPaths: ["a b/it's"] })!.body;
    expect(body).toContain(`da_contain clear_paths "releases/$DA_RELEASE" 'a b/it'\\''s' any || ok=`);
  });
});

describe('the path check step (real bash)', () => {
  const check = (t: ReturnType<typeof tree>, o: Partial<Parameters<typeof contain>[0]>) =>
    runBody(t.dp, contain({ sharedDirs: [], sharedFiles: [], writableDirs: [], clearPaths: [], ...o })!.body);

  test('a plain release passes; entries that do not exist yet pass', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'storage/app'), { recursive: true });
    const r = check(t, {
      sharedDirs: ['storage/app', 'var/cache'],
      sharedFiles: ['config/.env'],
      writableDirs: ['uploads/x'],
      clearPaths: ['tests/a'],
    });
    expect(r.out).toContain('checked 8 paths');
    expect(r.code).toBe(0);
  });

  test('a parent link out of the release (absolute, or relative with ..) is refused, naming key, path, link, target', () => {
    const t = tree();
    symlinkSync(t.victim, join(t.rel, 'storage'));
    symlinkSync('../../../victim', join(t.rel, 'cache'));
    const r = check(t, { sharedDirs: ['storage/app'], clearPaths: ['cache/data.txt'] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `error: shared_dirs: storage/app: storage is a symlink to ${t.victim}, outside the release`,
    );
    expect(r.out).toContain(
      'error: clear_paths: cache/data.txt: cache is a symlink to ../../../victim, outside the release',
    );
  });

  test('a parent link that stays inside the release is refused too (never followed), with what to do', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'var/storage'), { recursive: true });
    symlinkSync('var/storage', join(t.rel, 'storage'));
    const r = check(t, { writableDirs: ['storage/logs'] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'error: writable_dirs: storage/logs: storage is a symlink to var/storage (inside the release, but a symlink in the middle of a path is never followed: name the real path)',
    );
  });

  test('a link deeper in the path is found too; the last component may be a link for shared and cleared entries', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'a/b'), { recursive: true });
    symlinkSync(t.victim, join(t.rel, 'a/b/c'));
    symlinkSync(t.victim, join(t.rel, 'last'));
    expect(check(t, { clearPaths: ['a/b/c/d'] }).out).toContain(
      `clear_paths: a/b/c/d: a/b/c is a symlink to ${t.victim}, outside the release`,
    );
    const ok = check(t, { sharedDirs: ['last'], clearPaths: ['a/b/c'] });
    expect(ok.code).toBe(0);
  });

  test('links planted in shared/: as a parent, and as the shared entry itself', () => {
    const t = tree();
    symlinkSync(t.victim, join(t.dp, 'shared/storage'));
    symlinkSync(join(t.victim, 'data.txt'), join(t.dp, 'shared/.env'));
    const r = check(t, { sharedDirs: ['storage/app'], sharedFiles: ['.env'] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `error: shared_dirs: storage/app: shared/storage is a symlink to ${t.victim}, outside shared/`,
    );
    expect(r.out).toContain(
      `error: shared_files: .env: shared/.env is a symlink to ${t.victim}/data.txt; deploy-action never writes through a link in shared/: make it a real file there`,
    );
  });

  test('a writable dir that is itself a link: followed when it resolves inside the release or shared/, refused otherwise', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'public/uploads'), { recursive: true });
    mkdirSync(join(t.dp, 'shared/media'));
    symlinkSync('public/uploads', join(t.rel, 'in-release'));
    symlinkSync('../../shared/media', join(t.rel, 'in-shared'));
    symlinkSync(t.victim, join(t.rel, 'out'));
    symlinkSync('nowhere', join(t.rel, 'dangling'));
    expect(check(t, { writableDirs: ['in-release', 'in-shared'] }).code).toBe(0);
    const r = check(t, { writableDirs: ['out', 'dangling'] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `error: writable_dirs: out: out is a symlink to ${t.victim}, outside the release and shared/`,
    );
    expect(r.out).toContain(
      'error: writable_dirs: dangling: dangling is a symlink to nowhere, which is not a directory',
    );
  });

  test('a writable dir in a shared dir about to be seeded from the release may not be a link there (its target text would resolve elsewhere)', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'storage'));
    // From releases/r1/storage this is shared/x (inside); copied to shared/storage/ it would be outside.
    symlinkSync('../../../shared/x', join(t.rel, 'storage/logs'));
    mkdirSync(join(t.dp, 'shared/x'));
    const o = { sharedDirs: ['storage'], writableDirs: ['storage/logs'] };
    const r = check(t, o);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'error: writable_dirs: storage/logs: storage/logs is a symlink to ../../../shared/x; shared/ is seeded from this release',
    );
    // Once shared/storage exists, the release's storage/ is replaced by the link: shared/storage is what counts.
    mkdirSync(join(t.dp, 'shared/storage'));
    expect(check(t, o).code).toBe(0);
  });
});

describe('prelude guards', () => {
  test('da_parents_real names the first linked parent; da_relpath_ok refuses . and .. segments', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'a'));
    symlinkSync(t.victim, join(t.rel, 'a/b'));
    const r = runBody(
      t.dp,
      `for p in a/b/sub/x a/b a/c/d x; do if da_parents_real releases/r1 "$p"; then echo "$p: real"; else echo "$p: $DA_LINK"; fi; done
for p in a a/b ../x a/../b ./a a//b '' a/. /abs; do if da_relpath_ok "$p"; then echo "ok [$p]"; else echo "no [$p]"; fi; done`,
    );
    expect(r.out.trim().split('\n')).toEqual([
      'a/b/sub/x: a/b',
      'a/b: real',
      'a/c/d: real',
      'x: real',
      'ok [a]',
      'ok [a/b]',
      'no [../x]',
      'no [a/../b]',
      'no [./a]',
      'no [a//b]',
      'no []',
      'no [a/.]',
      'no [/abs]',
    ]);
  });
});

describe('da_prune (delta pruning)', () => {
  const prune = (t: ReturnType<typeof tree>, paths: string[]) => {
    writeFileSync(join(t.dp, 'list'), paths.map((p) => `${p}\0`).join(''));
    return runBody(t.dp, `${PRUNE_FUNCTION}\nda_prune releases/r1 < list`);
  };

  test('removes paths, never through a linked parent: the link goes instead; . and .. paths are ignored', () => {
    const t = tree();
    mkdirSync(join(t.rel, 'keep/dir'), { recursive: true });
    writeFileSync(join(t.rel, 'keep/gone.txt'), '');
    writeFileSync(join(t.rel, 'keep/dir/gone'), '');
    writeFileSync(join(t.rel, 'keep/stays.txt'), '');
    symlinkSync(t.victim, join(t.rel, 'cache'));
    const r = prune(t, [
      'keep/gone.txt',
      'keep/dir',
      'cache/data.txt',
      'cache/sub',
      '../victim/data.txt',
      'keep/../../../victim/sub',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `releases/r1/cache is a symlink (to ${t.victim}): removed it, not cache/data.txt through it`,
    );
    expect(readdirSync(join(t.rel)).sort()).toEqual(['keep']);
    expect(readdirSync(join(t.rel, 'keep'))).toEqual(['stays.txt']);
    expect(readdirSync(t.victim).sort()).toEqual(['data.txt', 'sub']);
  });

  test('20,000 paths in one pass (siblings share one parent walk), in a few rm processes', () => {
    const t = tree();
    const paths: string[] = [];
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(t.rel, `d${d}/deeper`), { recursive: true });
      for (let f = 0; f < 1000; f++) {
        writeFileSync(join(t.rel, `d${d}/deeper/f${f}`), '');
        paths.push(`d${d}/deeper/f${f}`);
      }
    }
    const t0 = Date.now();
    const r = prune(t, paths);
    const ms = Date.now() - t0;
    expect(r.code).toBe(0);
    for (let d = 0; d < 20; d++) expect(readdirSync(join(t.rel, `d${d}/deeper`))).toEqual([]);
    expect(ms).toBeLessThan(15_000);
  });
});

describe('writable commands without GNU argument permutation', () => {
  test.each(['chmod', 'chgrp'] as const)('%s -R works with POSIXLY_CORRECT=1 in the environment', (mode) => {
    const t = tree();
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    const body = writable({
      dirs: ['storage', 'a b'],
      mode,
      useSudo: false,
      recursive: true,
      chmodMode: '0771',
      httpGroup: group,
    })!.body;
    const r = runBody(t.dp, body, { POSIXLY_CORRECT: '1' });
    expect(r.out).toContain(`made 2 directories writable (${mode})`);
    expect(r.code).toBe(0);
    if (mode === 'chmod') expect(statSync(join(t.rel, 'a b')).mode & 0o777).toBe(0o771);
  });

  test('recursive chgrp changes a link inside a writable dir, never what it points at; a shared link named is followed', () => {
    if (process.getuid?.() !== 0) return; // needs a second group to change to
    const t = tree();
    mkdirSync(join(t.dp, 'shared/storage/inner'), { recursive: true });
    symlinkSync('../../shared/storage', join(t.rel, 'storage'));
    symlinkSync(join(t.victim, 'data.txt'), join(t.dp, 'shared/storage/inner/link'));
    chownSync(join(t.victim, 'data.txt'), 0, 0);
    const body = writable({
      dirs: ['storage'],
      mode: 'chgrp',
      useSudo: false,
      recursive: true,
      chmodMode: '0755',
      httpGroup: 'daemon',
    })!.body;
    const r = runBody(t.dp, body);
    expect(r.code).toBe(0);
    expect(statSync(join(t.victim, 'data.txt')).gid).toBe(0);
    const daemon = statSync(join(t.dp, 'shared/storage')).gid;
    expect(daemon).not.toBe(0);
    expect(statSync(join(t.dp, 'shared/storage/inner')).gid).toBe(daemon);
    expect(lstatSync(join(t.rel, 'storage')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(t.victim, 'data.txt'))).toBe(true);
  });
});
