import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { type HostCa, makeHostCa } from '../support/host-ca.js';
import { sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';
import { hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/**
 * OpenSSH host certificates end to end: sshd servers with a `HostCertificate` signed by a test CA, the bundled action
 * given only a `@cert-authority` line as `known-hosts` (no key of the host pinned). A good certificate deploys; an
 * expired one, one of another CA, one for other names and one of a revoked CA fail before authentication, saying why.
 */
const suite = sshAvailable() ? describe : describe.skip;
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

suite('host certificates (dist/index.js)', () => {
  let ca: HostCa;
  /** ed25519 host key with a good certificate (the harness's own key is RSA, so the certified key is the only ed25519). */
  let good: SshdHandle;
  /** An ECDSA host key whose certificate expired an hour ago. */
  let expired: SshdHandle;
  /** An RSA host key certified for web1 and web1.example.com only. */
  let elsewhere: SshdHandle;
  beforeAll(async () => {
    ca = makeHostCa();
    const withCert = (cert: { keyPath: string; certPath: string }) => [
      `HostKey ${cert.keyPath}`,
      `HostCertificate ${cert.certPath}`,
    ];
    [good, expired, elsewhere] = await Promise.all([
      startSshd({ hostKeyType: 'rsa', extraConfig: withCert(ca.sign({ key: 'ed25519' })) }),
      startSshd({ extraConfig: withCert(ca.sign({ key: 'ecdsa', validity: '-2h:-1h' })) }),
      startSshd({ extraConfig: withCert(ca.sign({ key: 'rsa', principals: ['web1', 'web1.example.com'] })) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), expired?.stop(), elsewhere?.stop()]);
  });

  const workspace = (sshd: SshdHandle) => {
    const dp = join(tempDir('da-target-'), 'app');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [${hostEntry(sshd)}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    return { dp, ws };
  };
  /** A deploy to `sshd` with `knownHosts` as the only known-hosts input; what the host's log says of it. */
  const deploy = async (sshd: SshdHandle, knownHosts: string) => {
    const { dp, ws } = workspace(sshd);
    const from = sshd.log().length;
    const r = await runAction({ inputs: sshInputs(sshd, { 'known-hosts': knownHosts }), workspace: ws.dir });
    let deployed: string | undefined;
    try {
      deployed = readFileSync(join(dp, 'current/VERSION'), 'utf8');
    } catch {}
    return { ...r, deployed, hostLog: sshd.log().slice(from) };
  };
  const caFor = (sshd: SshdHandle) => ca.line(`[${sshd.host}]:${sshd.port}`);
  /** Refused before authentication: no key was ever offered to the host, nothing deployed. */
  const refusedBeforeLogin = (r: Awaited<ReturnType<typeof deploy>>) => {
    expect(r.code).not.toBe(0);
    expect(r.deployed).toBeUndefined();
    expect(r.hostLog).toMatch(/Connection from 127\.0\.0\.1/);
    expect(r.hostLog).not.toMatch(/publickey|Accepted|session/i);
  };

  test('a host with a certificate of the listed CA deploys with only the @cert-authority line', async () => {
    const r = await deploy(good, caFor(good));
    expect({ code: r.code, out: r.code ? r.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
    expect(r.deployed).toBe('v1\n');
    expect(r.hostLog).toMatch(/Accepted publickey for root/);
  });

  test('an expired host certificate fails closed, saying when it expired and how to renew it', async () => {
    const r = await deploy(expired, caFor(expired));
    refusedBeforeLogin(r);
    expect(r.stdout).toMatch(
      /::error[^\n]*Host certificate verification failed for 127\.0\.0\.1:\d+: the host certificate expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(now [^)]+\)\. Refusing to connect\./,
    );
    expect(r.stdout).toMatch(
      /ssh-keygen -s CA_KEY -h -I 127\.0\.0\.1 -n 127\.0\.0\.1 -V \+52w \/etc\/ssh\/ssh_host_ecdsa_key\.pub/,
    );
  });

  test('a host certificate of another CA fails closed, naming both CAs', async () => {
    const r = await deploy(good, makeHostCa().line('*'));
    refusedBeforeLogin(r);
    expect(r.stdout).toMatch(
      /Host certificate verification failed for 127\.0\.0\.1:\d+: the host certificate is not signed by a CA listed for this host in the `known-hosts` input: it is signed by CA key ssh-ed25519 SHA256:\S+, and this host trusts the CA\(s\) of known-hosts line\(s\) 1/,
    );
  });

  test('a host certificate for other names fails closed, naming the host and the principals', async () => {
    const r = await deploy(elsewhere, caFor(elsewhere));
    refusedBeforeLogin(r);
    expect(r.stdout).toContain(
      'principal "127.0.0.1" (the host as written in the config) is not in ["web1", "web1.example.com"]',
    );
  });

  test('a host certificate of a revoked CA fails closed', async () => {
    const r = await deploy(good, `${caFor(good)}\n@revoked * ${ca.publicLine}`);
    refusedBeforeLogin(r);
    expect(r.stdout).toMatch(
      /the CA key that signed the host certificate is REVOKED \(marked @revoked on known-hosts line 2\)/,
    );
  });

  test('the CLI reads @cert-authority lines from ~/.ssh/known_hosts the same way', async () => {
    const cli = (knownHosts: string) => {
      const { dp, ws } = workspace(good);
      const home = tempDir('da-home-');
      mkdirSync(join(home, '.ssh'), { mode: 0o700 });
      writeFileSync(join(home, '.ssh/known_hosts'), `${knownHosts}\n`);
      return new Promise<{ code: number; out: string; dp: string; home: string }>((done) => {
        execFile(
          process.execPath,
          [CLI, 'deploy', 'production', '--source', 'app', '-i', good.plainKeyPath],
          { cwd: ws.dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home }, timeout: 60_000 },
          (error, stdout, stderr) =>
            done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}\n${stderr}`, dp, home }),
        );
      });
    };
    const ok = await cli(caFor(good));
    expect({ code: ok.code, out: ok.code ? ok.out.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(ok.dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    const refused = await cli(makeHostCa().line('*'));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      `the host certificate is not signed by a CA listed for this host in ${join(refused.home, '.ssh/known_hosts')}`,
    );
  });
});
