import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { makeCa } from '../support/ca.js';
import { sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';
import { hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/**
 * OpenSSH user certificates end to end: an sshd that trusts only a test CA (TrustedUserCAKeys) and has no
 * authorized_keys, the bundled action with the `ssh-certificate` input, and the bundled CLI with `-i key` and
 * `key-cert.pub` beside it.
 */
const suite = sshAvailable() ? describe : describe.skip;
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

suite('user certificates (dist/index.js, dist/cli/index.js)', () => {
  let sshd: SshdHandle;
  let ca: ReturnType<typeof makeCa>;
  beforeAll(async () => {
    ca = makeCa();
    sshd = await startSshd({ extraConfig: [`TrustedUserCAKeys ${ca.caPub}`, 'AuthorizedKeysFile none'] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const workspace = () => {
    const dp = join(tempDir('da-target-'), 'app');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [${hostEntry(sshd)}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    return { dp, ws };
  };

  test('a deploy with the ssh-certificate input logs in where only the CA is trusted', async () => {
    const signed = ca.sign('ed25519', '+1h', sshd.user);
    const { dp, ws } = workspace();
    const r = await runAction({
      inputs: sshInputs(sshd, { 'ssh-private-key': signed.privateKey, 'ssh-certificate': signed.certificate }),
      workspace: ws.dir,
      env: { RUNNER_DEBUG: '1' },
    });
    expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    expect(r.stdout).toMatch(/ssh-certificate: ssh-ed25519-cert-v01@openssh.com certificate .*principals: "root"/);
  });

  test('without the certificate the same key is refused (the host trusts only the CA)', async () => {
    const signed = ca.sign('ed25519', '+1h', sshd.user);
    const { ws } = workspace();
    const r = await runAction({ inputs: sshInputs(sshd, { 'ssh-private-key': signed.privateKey }), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/the server refused the key SHA256:[A-Za-z0-9+/]{43} for user "root"/);
  });

  test('an expired certificate is refused on the runner, before any host is reached', async () => {
    const signed = ca.sign('ed25519', '-2h:-1h', sshd.user);
    const { dp, ws } = workspace();
    const before = sshd.connections();
    const r = await runAction({
      inputs: sshInputs(sshd, { 'ssh-private-key': signed.privateKey, 'ssh-certificate': signed.certificate }),
      workspace: ws.dir,
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /::error[^\n]*the certificate in ssh-certificate expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(id "deploy-\d+", now [^)]+\): sign a new one with the CA/,
    );
    expect(sshd.connections()).toBe(before);
    expect(() => readFileSync(join(dp, 'current/VERSION'))).toThrow();
  });

  /** `deploy-action deploy production --source app ARGS` in the workspace, with a HOME that knows the host. */
  const cli = (cwd: string, args: string[]) => {
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    return new Promise<{ code: number; out: string }>((done) => {
      execFile(
        process.execPath,
        [CLI, 'deploy', 'production', '--source', 'app', ...args],
        { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home }, timeout: 60_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}\n${stderr}` }),
      );
    });
  };

  test('the CLI with -i key finds key-cert.pub beside it', async () => {
    const signed = ca.sign('ecdsa', '+1h', sshd.user);
    const { dp, ws } = workspace();
    const r = await cli(ws.dir, ['-i', signed.keyPath, '-v']);
    expect({ code: r.code, out: r.code ? r.out.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    expect(r.out).toContain(
      `authenticating with the key ${signed.keyPath} with its certificate ${signed.keyPath}-cert.pub`,
    );
    expect(r.out).toMatch(/ecdsa-sha2-nistp256-cert-v01@openssh.com certificate "deploy-\d+" .*principals: "root"/);
  });

  test('the CLI: an expired key-cert.pub, and a --certificate that is not there, stop the run before any host', async () => {
    const expired = ca.sign('ed25519', '-2h:-1h', sshd.user);
    const { ws } = workspace();
    const before = sshd.connections();
    const r = await cli(ws.dir, ['-i', expired.keyPath]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`the certificate ${expired.keyPath}-cert.pub expired at`);
    const missing = await cli(ws.dir, ['-i', expired.keyPath, '--certificate', join(ca.dir, 'nope-cert.pub')]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain(`cannot read the certificate ${join(ca.dir, 'nope-cert.pub')}: no such file`);
    expect(sshd.connections()).toBe(before);
  });
});
