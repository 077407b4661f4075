import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction, type ActionResult } from '../support/action.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs, type Workspace } from '../support/workspace.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function config(dp: string, extra = ''): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(sshd)}]
    deploy_path: ${JSON.stringify(dp)}
    shared_dirs: [storage]
    shared_files: [.env]
    writable_dirs: [bootstrap/cache]
    writable_mode: chmod
    writable_chmod_mode: "0775"
    clear_paths: [phpunit.xml]
${extra}`;
}

/** Every entry of a release: type, mode, size, link target and content hash; what "byte for byte" means here. */
function tree(dir: string): string {
  return execFileSync('bash', [
    '-c',
    `cd "$1" && find . -mindepth 1 -printf '%y %m %s %l %P\\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum`,
    '_',
    dir,
  ]).toString();
}

const APP: Record<string, string> = {
  VERSION: 'v1\n',
  'app/Http/Kernel.php': '<?php // kernel\n',
  'app/Models/User.php': '<?php // user\n',
  'app/Models/Old.php': '<?php // to be removed\n',
  'config/app.php': '<?php return [];\n',
  'resources/views/home.blade.php': '<h1>home</h1>\n',
  'public/index.php': '<?php // front\n',
  artisan: '#!/usr/bin/env php\n',
  'storage/logs/.gitkeep': '',
  '.env': 'APP_KEY=1\n',
  'phpunit.xml': '<phpunit/>\n',
  'docs/readme': 'becomes a directory\n',
  'bootstrap/cache/.gitignore': '*\n',
};

async function deploy(ws: Workspace, inputs: Record<string, string> = {}): Promise<ActionResult> {
  const r = await runAction({ inputs: sshInputs(sshd, inputs), workspace: ws.dir });
  expect({ code: r.code, out: r.code ? r.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
  return r;
}

function mutate(ws: Workspace): void {
  const a = ws.app;
  writeFileSync(join(a, 'VERSION'), 'v2\n'); // changed
  writeFileSync(join(a, 'app/Models/Post.php'), '<?php // new\n'); // added
  rmSync(join(a, 'app/Models/Old.php')); // removed
  renameSync(join(a, 'resources/views/home.blade.php'), join(a, 'resources/views/index.blade.php')); // renamed
  chmodSync(join(a, 'artisan'), 0o755); // mode change
  mkdirSync(join(a, 'storage/framework/empty'), { recursive: true }); // inside a shared dir: never shipped by a delta
  mkdirSync(join(a, 'public/uploads'), { recursive: true }); // an empty dir
  symlinkSync('../config/app.php', join(a, 'public/app-config.php')); // a symlink inside the app
  rmSync(join(a, 'docs/readme'));
  mkdirSync(join(a, 'docs/readme'));
  writeFileSync(join(a, 'docs/readme/index.md'), '# now a directory\n'); // a file replaced by a directory
}

describe('delta uploads against a real sshd', () => {
  test('a delta release matches a full upload of the same build byte for byte, and sends only what changed', async () => {
    const dp = awkwardDeployPath();
    const full = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    await deploy(ws);
    // What hooks or people leave in a live release must not be carried into the next one.
    writeFileSync(join(dp, 'current/bootstrap/cache/config.php'), '<?php // cached by a hook\n');
    writeFileSync(join(dp, 'current/GENERATED'), 'made on the server\n');
    mutate(ws);
    const delta = await deploy(ws);
    expect(delta.stdout).toContain('▶ upload (delta)');
    expect(delta.stdout).toMatch(/sent \d+ changed (entry|entries)/);
    expect(delta.stdout).toContain('verified against the build');
    expect(delta.stdout).not.toContain('does not match the build');
    // The same build, shipped whole to another path.
    writeFileSync(ws.config, config(full));
    await deploy(ws);
    writeFileSync(ws.config, config(full, '    full_upload: true\n'));
    const whole = await deploy(ws);
    expect(whole.stdout).not.toContain('upload (delta)');
    expect(tree(join(dp, 'current'))).toBe(tree(join(full, 'current')));
    expect(existsSync(join(dp, 'current/GENERATED'))).toBe(false);
    expect(existsSync(join(dp, 'current/app/Models/Old.php'))).toBe(false);
    expect(readFileSync(join(dp, 'current/docs/readme/index.md'), 'utf8')).toBe('# now a directory\n');
    // shared/ was never written through the copied links.
    expect(existsSync(join(dp, 'shared/storage/framework'))).toBe(false);
  });

  test('verify reads changed files whose names hold shell syntax or a quote (named to sha256sum, or through xargs)', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    await deploy(ws);
    const odd = 'app/$(touch pwned) `touch pwned2` x.php';
    writeFileSync(join(ws.app, odd), '<?php // odd\n');
    const named = await deploy(ws);
    expect(named.stdout).toContain('verified against the build');
    expect(named.stdout).not.toContain('does not match the build');
    const quoted = "app/it's here.php";
    writeFileSync(join(ws.app, quoted), '<?php // quoted\n');
    writeFileSync(join(ws.app, odd), '<?php // odd, changed\n');
    const viaXargs = await deploy(ws);
    expect(viaXargs.stdout).toContain('verified against the build');
    expect(viaXargs.stdout).not.toContain('does not match the build');
    expect(readFileSync(join(dp, 'current', odd), 'utf8')).toBe('<?php // odd, changed\n');
    expect(readFileSync(join(dp, 'current', quoted), 'utf8')).toBe('<?php // quoted\n');
    expect(execFileSync('find', [dp, '-name', 'pwned*']).toString()).toBe('');
  });

  test('a one-file change sends a few kilobytes, not the app', async () => {
    const dp = awkwardDeployPath();
    const big: Record<string, string> = { ...APP };
    // Code-like content that does not compress to nothing: hex digits of a hash chain.
    let h = 'seed';
    for (let i = 0; i < 300; i++) {
      let body = '';
      for (let j = 0; j < 30; j++) body += h = createHash('sha256').update(h).digest('hex');
      big[`vendor/pkg${i % 17}/File${i}.php`] = `<?php // ${body}\n`;
    }
    const ws = makeWorkspace(big, config(dp));
    const first = await deploy(ws);
    const fullBytes = Number(/received (\d+) bytes of archive/.exec(first.stdout)?.[1]);
    ws.write('VERSION', 'v2\n');
    const second = await deploy(ws);
    const sent = Number(/received (\d+) bytes of archive/.exec(second.stdout)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(fullBytes / 20);
    expect(second.stdout).toMatch(/sent 1 changed entry,/); // VERSION (its directory, the release root, is not an entry)
    expect(second.stdout).toContain('verified against the build');
  });

  test('a corrupted remote manifest falls back to a full upload; so does a live file changed on the server', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    const first = await deploy(ws);
    writeFileSync(join(dp, '.deploy/manifests', `${first.outputs['release']}.gz`), 'not gzip at all');
    ws.write('VERSION', 'v2\n');
    const r = await deploy(ws);
    expect(r.stdout).not.toContain('upload (delta)');
    expect(r.stdout).toContain('manifest is unreadable; shipping everything');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v2\n');
    // Someone edits a shipped file of the live release on the server: the delta would carry the edit over.
    writeFileSync(join(dp, 'current/config/app.php'), '<?php return ["edited" => true];\n');
    ws.write('VERSION', 'v3\n');
    const edited = await deploy(ws);
    expect(edited.stdout).toContain('upload (delta)');
    expect(edited.stdout).toContain('does not match the build');
    expect(edited.stdout).toContain('content differs: config/app.php'); // the log names what differs
    expect(edited.stdout).toContain('shipped everything instead');
    expect(readFileSync(join(dp, 'current/config/app.php'), 'utf8')).toBe('<?php return [];\n');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v3\n');
  });

  test('verify reads only files whose stat signature changed; an in-place edit that keeps size and mtime is still caught', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 2\n'));
    const next = async (version: string) => {
      await new Promise((r) => setTimeout(r, 30)); // past the index's racy window
      ws.write('VERSION', `${version}\n`);
      return deploy(ws);
    };
    await next('v1'); // a full upload: every file indexed
    await next('v2'); // nothing to recycle yet: a copy of the live release, every file read
    const third = await next('v3'); // recycles the first release: only the changed file is read
    expect(third.stdout).toContain('reusing releases/');
    expect(third.stdout).toMatch(/verified against the build's manifest \(1 file read/);
    await next('v4');
    // The release the next deploy recycles (the third) is edited in place: same size, mtime put back.
    const victim = join(dp, 'releases', third.outputs['release']!, 'config/app.php');
    const before = execFileSync('stat', ['-c', '%s %Y', victim]).toString();
    execFileSync('bash', [
      '-c',
      'printf "<?php return [7]\\n" > "$1.new" && touch -r "$1" "$1.new" && cat "$1.new" > "$1" && touch -r "$1.new" "$1" && rm "$1.new"',
      '_',
      victim,
    ]);
    expect(execFileSync('stat', ['-c', '%s %Y', victim]).toString()).toBe(before);
    const fifth = await next('v5');
    expect(fifth.stdout).toContain(`reusing releases/${third.outputs['release']}`);
    expect(fifth.stdout).toContain('does not match the build');
    expect(fifth.stdout).toContain('content differs: config/app.php');
    expect(fifth.stdout).toContain('shipped everything instead');
    expect(readFileSync(join(dp, 'current/config/app.php'), 'utf8')).toBe('<?php return [];\n');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v5\n');
  });

  test('a release holding a file of another user is not recycled: that deploy ships everything, and later ones walk a release before they offer it', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 2\n'));
    const first = await deploy(ws);
    ws.write('VERSION', 'v2\n');
    const second = await deploy(ws);
    // Written by the web server's user, say: the deploy user could not clean it out of a recycled release.
    const plant = (release: string) => {
      const foreign = join(dp, 'releases', release, 'storage-cache.bin');
      writeFileSync(foreign, 'x');
      execFileSync('chown', ['65534:65534', foreign]);
    };
    plant(first.outputs['release']!);
    ws.write('VERSION', 'v3\n');
    // Inspect offers the oldest release at once and walks it while the runner plans: the delta finds the foreign file.
    const third = await deploy(ws);
    expect(third.stdout).not.toContain('reusing releases/');
    expect(third.stdout).toContain(
      `releases/${first.outputs['release']} cannot be reused: it holds entries of another user`,
    );
    expect(third.stdout).toContain('storage-cache.bin');
    expect(third.stdout).toContain(
      'holds entries of another user (later deploys check before they reuse one); shipped everything instead',
    );
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v3\n');
    expect(existsSync(join(dp, 'current/storage-cache.bin'))).toBe(false);
    expect(existsSync(join(dp, '.deploy/check-base-first'))).toBe(true);
    // From now on inspect walks a release before it offers it: this one is not offered, the live release is copied.
    plant(second.outputs['release']!);
    ws.write('VERSION', 'v4\n');
    const fourth = await deploy(ws);
    expect(fourth.stdout).not.toContain('reusing releases/');
    expect(fourth.stdout).not.toContain('shipped everything instead');
    expect(fourth.stdout).toMatch(/verified against the build's manifest/);
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v4\n');
    expect(existsSync(join(dp, 'current/storage-cache.bin'))).toBe(false);
    // A walk that finds nothing foreign ends that: the release is reused, and offers go first again.
    ws.write('VERSION', 'v5\n');
    const fifth = await deploy(ws);
    expect(fifth.stdout).toContain('reusing releases/');
    expect(fifth.stdout).toMatch(/verified against the build's manifest \(1 file read/);
    expect(existsSync(join(dp, '.deploy/check-base-first'))).toBe(false);
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v5\n');
  });

  test('a recycled base carries the delta on its own: the live release manifest stays on the host (unreadable there, no matter)', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 2\n'));
    await deploy(ws);
    ws.write('VERSION', 'v2\n');
    await deploy(ws);
    ws.write('VERSION', 'v3\n');
    const third = await deploy(ws);
    // Inspect offers the oldest release with its manifest; the live one's is not sent, so its state does not matter.
    writeFileSync(join(dp, '.deploy/manifests', `${third.outputs['release']}.gz`), 'not gzip at all');
    ws.write('VERSION', 'v4\n');
    const fourth = await deploy(ws);
    expect(fourth.stdout).toContain('reusing releases/');
    expect(fourth.stdout).not.toContain('manifest is unreadable');
    expect(fourth.summary).toMatch(/\| Host \| Result \| connect and inspect \| stage to finish \|$/m);
    expect(fourth.stdout).toMatch(/verified against the build's manifest \(1 file read/);
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v4\n');
  });

  test('an offered base whose manifest is unreadable: the live manifest is asked for, and the delta starts from a copy of the live release', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 2\n'));
    await deploy(ws);
    ws.write('VERSION', 'v2\n');
    const second = await deploy(ws);
    ws.write('VERSION', 'v3\n');
    await deploy(ws);
    // The second release is the one the next deploy's inspect offers.
    writeFileSync(join(dp, '.deploy/manifests', `${second.outputs['release']}.gz`), 'not gzip at all');
    ws.write('VERSION', 'v4\n');
    const fourth = await deploy(ws);
    expect(fourth.summary).toMatch(/\| Host \| Result \| connect and inspect \| base \| stage to finish \|$/m);
    expect(fourth.stdout).toContain('upload (delta)');
    expect(fourth.stdout).not.toContain('reusing releases/');
    expect(fourth.stdout).toContain('verified against the build');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v4\n');
    expect(readFileSync(join(dp, 'current/config/app.php'), 'utf8')).toBe('<?php return [];\n');
  });

  test('a second release of the same second (NAME-2) does not hide the oldest one from the offer', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 3\n'));
    await deploy(ws, { 'release-name': 'r1' });
    ws.write('VERSION', 'v2\n');
    await deploy(ws, { 'release-name': 'r1-2' }); // the suffix a name taken in the same second gets
    ws.write('VERSION', 'v3\n');
    await deploy(ws, { 'release-name': 'r2' });
    ws.write('VERSION', 'v4\n');
    const fourth = await deploy(ws, { 'release-name': 'r3' });
    // The glob lists releases/r1-2/ before releases/r1/; retention removes r1, and inspect offers r1.
    expect(fourth.summary).toMatch(/\| Host \| Result \| connect and inspect \| stage to finish \|$/m);
    expect(fourth.stdout).toContain('reusing releases/r1, which cleanup would remove');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v4\n');
  });

  test('when the oldest release by name is not the one retention removes, the base is asked for in a phase of its own', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 3\n'));
    await deploy(ws, { 'release-name': 'zz-first' }); // oldest by history, last by name
    ws.write('VERSION', 'v2\n');
    await deploy(ws);
    ws.write('VERSION', 'v3\n');
    await deploy(ws);
    ws.write('VERSION', 'v4\n');
    const fourth = await deploy(ws);
    expect(fourth.summary).toMatch(/\| Host \| Result \| connect and inspect \| base \| stage to finish \|$/m);
    expect(fourth.stdout).toContain('reusing releases/zz-first, which cleanup would remove');
    expect(fourth.stdout).toContain('verified against the build');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v4\n');
    expect(readdirSync(join(dp, 'releases'))).not.toContain('zz-first');
  });

  test('the release cleanup would remove is reused as the base (no copy), and the result still matches a full upload', async () => {
    const dp = awkwardDeployPath();
    const full = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp, '    keep_releases: 2\n'));
    const first = await deploy(ws);
    const second = await deploy(ws);
    writeFileSync(join(dp, 'releases', first.outputs['release']!, 'LEFT-BY-A-HOOK'), 'x\n');
    mutate(ws);
    const third = await deploy(ws);
    expect(third.stdout).toContain(`reusing releases/${first.outputs['release']}, which cleanup would remove`);
    // Inspect offered that release with its manifest: no extra round trip (no `base` phase).
    expect(third.summary).toMatch(/\| Host \| Result \| connect and inspect \| stage to finish \|$/m);
    expect(third.stdout).toContain('verified against the build');
    expect(third.stdout).not.toContain('does not match the build');
    expect(readdirSync(join(dp, 'releases')).sort()).toEqual(
      [second.outputs['release'], third.outputs['release']].sort(),
    );
    // The reused release's old manifest and index went with its name; nothing went to the trash (nothing to delete).
    const kept = [second.outputs['release'], third.outputs['release']].flatMap((r) => [`${r}.gz`, `${r}.idx`]);
    expect(readdirSync(join(dp, '.deploy/manifests')).sort()).toEqual(kept.sort());
    expect(existsSync(join(dp, '.deploy/trash'))).toBe(false);
    expect(third.stdout).toContain('nothing left to clean up');
    writeFileSync(ws.config, config(full, '    full_upload: true\n'));
    await deploy(ws);
    expect(tree(join(dp, 'current'))).toBe(tree(join(full, 'current')));
  });
});
