import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fingerprintSha256,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  pinnedHostKeyAlgorithms,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownHosts,
} from '../../src/transport/known-hosts.js';
import { tempDir } from '../support/temp-dirs.js';

const SSH_KEYGEN = '/usr/bin/ssh-keygen';

interface RealKey {
  /** Path of the .pub file. */
  pub: string;
  type: string;
  base64: string;
  blob: Buffer;
}

let dir: string;
const keys: Record<'ed25519' | 'ed25519b' | 'rsa' | 'ecdsa', RealKey> = {} as Record<
  'ed25519' | 'ed25519b' | 'rsa' | 'ecdsa',
  RealKey
>;

function generate(name: string, args: string[]): RealKey {
  const file = join(dir, name);
  execFileSync(SSH_KEYGEN, ['-q', ...args, '-N', '', '-C', `test-${name}`, '-f', file]);
  const [type, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
  return { pub: `${file}.pub`, type, base64, blob: Buffer.from(base64, 'base64') };
}

/** Runs `ssh-keygen -H` on the given known_hosts text and returns OpenSSH's hashed version. */
function hashWithOpenSsh(text: string): string {
  const file = join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  execFileSync(SSH_KEYGEN, ['-H', '-f', file], { stdio: 'ignore' });
  return readFileSync(file, 'utf8');
}

const line = (names: string, key: RealKey): string => `${names} ${key.type} ${key.base64}`;
const verify = (text: string, host: string, port: number, key: RealKey): HostKeyVerdict =>
  verifyHostKey(parseKnownHosts(text), host, port, key.blob);

function failure(v: HostKeyVerdict): Extract<HostKeyVerdict, { ok: false }> {
  if (v.ok) throw new Error('expected verification to fail');
  return v;
}

beforeAll(() => {
  dir = tempDir('known-hosts-test-');
  keys.ed25519 = generate('ed25519', ['-t', 'ed25519']);
  keys.ed25519b = generate('ed25519b', ['-t', 'ed25519']);
  keys.rsa = generate('rsa', ['-t', 'rsa', '-b', '2048']);
  keys.ecdsa = generate('ecdsa', ['-t', 'ecdsa', '-b', '384']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key helpers', () => {
  it('keyTypeOf reads the key type from real blobs', () => {
    expect(keyTypeOf(keys.ed25519.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(keys.rsa.blob)).toBe('ssh-rsa');
    expect(keyTypeOf(keys.ecdsa.blob)).toBe('ecdsa-sha2-nistp384');
  });

  it('keyTypeOf rejects truncated blobs', () => {
    expect(() => keyTypeOf(Buffer.from([0, 0]))).toThrow();
    expect(() => keyTypeOf(keys.ed25519.blob.subarray(0, 8))).toThrow();
  });

  it.each(['ed25519', 'rsa', 'ecdsa'] as const)('fingerprintSha256 equals ssh-keygen -lf for %s', (name) => {
    const out = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', keys[name].pub], { encoding: 'utf8' });
    const expected = out.split(' ')[1];
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintSha256(keys[name].blob)).toBe(expected);
  });

  it('knownHostsName uses the plain name for port 22 and [host]:port otherwise', () => {
    expect(knownHostsName('example.com', 22)).toBe('example.com');
    expect(knownHostsName('example.com', 2222)).toBe('[example.com]:2222');
    expect(knownHostsName('10.0.0.1', 23)).toBe('[10.0.0.1]:23');
  });
});

describe('parseKnownHosts', () => {
  it('skips blank lines and comments, keeps line numbers, markers and trailing comments', () => {
    const text = [
      '# a comment',
      '',
      `   ${line('a.example.com', keys.ed25519)} user@laptop`,
      `@revoked * ${keys.rsa.type} ${keys.rsa.base64}`,
      `@cert-authority *.example.com ${keys.ecdsa.type} ${keys.ecdsa.base64}`,
      '   # indented comment',
    ].join('\r\n');
    const kh = parseKnownHosts(text);
    expect(kh.problems).toEqual([]);
    expect(kh.entries.map((e) => [e.line, e.marker, e.keyType])).toEqual([
      [3, undefined, 'ssh-ed25519'],
      [4, '@revoked', 'ssh-rsa'],
      [5, '@cert-authority', 'ecdsa-sha2-nistp384'],
    ]);
    expect(kh.entries[0].patterns).toEqual(['a.example.com']);
    expect(kh.entries[0].key.equals(keys.ed25519.blob)).toBe(true);
  });

  it('reports malformed lines without leaking key material', () => {
    const b64 = keys.ed25519.base64;
    const text = [
      'just-a-host',
      'host ssh-ed25519',
      `host ssh-ed25519 ${b64.slice(0, -3)}!!!`,
      `@bogus host ssh-ed25519 ${b64}`,
      `host ssh-rsa ${b64}`,
      `host ssh-ed25519 ${Buffer.from([0, 0, 0, 99, 1]).toString('base64')}`,
      `|1|notbase64|zzz ssh-ed25519 ${b64}`,
      'host 2048 65537 12345',
      `host,,other ssh-ed25519 ${b64}`,
      line('good.example.com', keys.ed25519),
    ].join('\n');
    const kh = parseKnownHosts(text);
    expect(kh.entries.map((e) => e.line)).toEqual([10]);
    expect(kh.problems).toHaveLength(9);
    for (const [i, p] of kh.problems.entries()) expect(p).toMatch(new RegExp(`^known-hosts line ${i + 1}: `));
    expect(kh.problems[3]).toContain('@bogus');
    expect(kh.problems[4]).toContain('does not match');
    for (const p of kh.problems) {
      expect(p).not.toContain(b64.slice(0, 20));
      expect(p).not.toContain(b64.slice(-20));
    }
  });

  it('treats empty text as no entries and no problems', () => {
    expect(parseKnownHosts('')).toEqual({ entries: [], problems: [] });
    expect(parseKnownHosts('\n  \n# only comments\n')).toEqual({ entries: [], problems: [] });
  });
});

describe('verifyHostKey matching', () => {
  it('accepts a plain match on port 22', () => {
    expect(verify(line('deploy.example.com', keys.ed25519), 'deploy.example.com', 22, keys.ed25519)).toEqual({
      ok: true,
    });
  });

  it('uses [host]:port for non-22 ports, and the plain name only for port 22', () => {
    const text = line('[deploy.example.com]:2222', keys.ed25519);
    expect(verify(text, 'deploy.example.com', 2222, keys.ed25519).ok).toBe(true);
    expect(failure(verify(text, 'deploy.example.com', 22, keys.ed25519)).reason).toBe('unknown');
    expect(failure(verify(text, 'deploy.example.com', 2223, keys.ed25519)).reason).toBe('unknown');
    const plain = line('deploy.example.com', keys.ed25519);
    expect(failure(verify(plain, 'deploy.example.com', 2222, keys.ed25519)).reason).toBe('unknown');
    // OpenSSH looks up the plain name for port 22, so a "[host]:22" line is not used.
    expect(
      failure(verify(line('[deploy.example.com]:22', keys.ed25519), 'deploy.example.com', 22, keys.ed25519)).reason,
    ).toBe('unknown');
  });

  it('supports * and ? wildcards over the whole name', () => {
    const text = line('*.example.com', keys.ed25519);
    expect(verify(text, 'web1.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(verify(text, 'a.b.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(failure(verify(text, 'example.com', 22, keys.ed25519)).reason).toBe('unknown');
    expect(failure(verify(text, 'web1.example.com.evil.net', 22, keys.ed25519)).reason).toBe('unknown');
    expect(failure(verify(text, 'web1xexample.com', 22, keys.ed25519)).reason).toBe('unknown');
    const q = line('web?.example.com', keys.ed25519);
    expect(verify(q, 'web7.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(failure(verify(q, 'web10.example.com', 22, keys.ed25519)).reason).toBe('unknown');
    const ported = line('[*.example.com]:2222', keys.ed25519);
    expect(verify(ported, 'web1.example.com', 2222, keys.ed25519).ok).toBe(true);
    expect(failure(verify(ported, 'web1.example.com', 22, keys.ed25519)).reason).toBe('unknown');
  });

  it('a matching !negation excludes the whole line', () => {
    const text = line('*.example.com,!bad.example.com', keys.ed25519);
    expect(verify(text, 'good.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(failure(verify(text, 'bad.example.com', 22, keys.ed25519)).reason).toBe('unknown');
    // Negation alone never matches anything.
    expect(failure(verify(line('!bad.example.com', keys.ed25519), 'good.example.com', 22, keys.ed25519)).reason).toBe(
      'unknown',
    );
  });

  it('matches any name of a comma list', () => {
    const text = line('web1.example.com,10.0.0.5,[web1.example.com]:2200', keys.ed25519);
    expect(verify(text, 'web1.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(verify(text, '10.0.0.5', 22, keys.ed25519).ok).toBe(true);
    expect(verify(text, 'web1.example.com', 2200, keys.ed25519).ok).toBe(true);
    expect(failure(verify(text, '10.0.0.6', 22, keys.ed25519)).reason).toBe('unknown');
  });

  it('answers the same for a host asked again, also after the list gained a line', () => {
    const kh = parseKnownHosts(line('web1.example.com', keys.ed25519));
    expect(verifyHostKey(kh, 'web1.example.com', 22, keys.ed25519.blob).ok).toBe(true);
    expect(failure(verifyHostKey(kh, 'web1.example.com', 22, keys.rsa.blob)).reason).toBe('mismatch');
    expect(pinnedHostKeyAlgorithms(kh, 'web1.example.com', 22)).toEqual(['ssh-ed25519']);
    expect(failure(verifyHostKey(kh, 'web2.example.com', 22, keys.ed25519.blob)).reason).toBe('unknown');
    kh.entries.push(...parseKnownHosts(line('web2.example.com', keys.ed25519)).entries);
    expect(verifyHostKey(kh, 'web2.example.com', 22, keys.ed25519.blob).ok).toBe(true);
    expect(verifyHostKey(kh, 'web1.example.com', 22, keys.ed25519.blob).ok).toBe(true);
  });

  it('compares host names case-insensitively', () => {
    expect(verify(line('Deploy.Example.COM', keys.ed25519), 'deploy.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(verify(line('deploy.example.com', keys.ed25519), 'DEPLOY.example.com', 22, keys.ed25519).ok).toBe(true);
    expect(verify(line('[*.EXAMPLE.com]:2222', keys.ed25519), 'Web.example.COM', 2222, keys.ed25519).ok).toBe(true);
  });

  it('a fleet known_hosts file: each host matches its own line only, however often its patterns were matched before', () => {
    const text = Array.from({ length: 100 }, (_, i) =>
      line(`[10.0.0.${i}]:22${String(i).padStart(2, '0')}`, i === 42 ? keys.ecdsa : keys.ed25519),
    ).join('\n');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100; i++) {
        const port = Number(`22${String(i).padStart(2, '0')}`);
        expect(verify(text, `10.0.0.${i}`, port, i === 42 ? keys.ecdsa : keys.ed25519).ok).toBe(true);
      }
      expect(failure(verify(text, '10.0.0.42', 2242, keys.ed25519)).reason).toBe('mismatch');
      expect(failure(verify(text, '10.0.0.1', 2202, keys.ed25519)).reason).toBe('unknown');
    }
  });

  it('matches entries hashed by ssh-keygen -H (port 22 and non-22)', () => {
    const hashed = hashWithOpenSsh(
      `${[line('deploy.example.com', keys.ed25519), line('[deploy.example.com]:2222', keys.rsa)].join('\n')}\n`,
    );
    expect(hashed).not.toContain('deploy.example.com');
    const kh = parseKnownHosts(hashed);
    expect(kh.problems).toEqual([]);
    expect(kh.entries).toHaveLength(2);
    for (const e of kh.entries) expect(Array.isArray(e.patterns)).toBe(false);

    expect(verifyHostKey(kh, 'deploy.example.com', 22, keys.ed25519.blob)).toEqual({ ok: true });
    expect(verifyHostKey(kh, 'Deploy.Example.com', 22, keys.ed25519.blob)).toEqual({ ok: true });
    expect(verifyHostKey(kh, 'deploy.example.com', 2222, keys.rsa.blob)).toEqual({ ok: true });
    // The port is part of the hashed name: each key is only pinned for its own port.
    expect(failure(verifyHostKey(kh, 'deploy.example.com', 22, keys.rsa.blob)).reason).toBe('mismatch');
    expect(failure(verifyHostKey(kh, 'deploy.example.com', 2223, keys.rsa.blob)).reason).toBe('unknown');
    expect(failure(verifyHostKey(kh, 'other.example.com', 22, keys.ed25519.blob)).reason).toBe('unknown');

    // Corrupted hashed names are reported as problems rather than silently never matching.
    const [hostField, ...rest] = hashed.split('\n')[0].split(' ');
    const [, , salt, hash] = hostField.split('|');
    const corrupt = [`${hostField}|AAAA`, `|1|${salt.slice(4)}|${hash}`, `|1|${salt}|`, `|2|${salt}|${hash}`]
      .map((h) => [h, ...rest].join(' '))
      .join('\n');
    const bad = parseKnownHosts(corrupt);
    const expected = [1, 2, 3].map((n) => expect.stringMatching(`^known-hosts line ${n}: malformed hashed`));
    expect(bad.problems.slice(0, 3)).toEqual(expected);
    // "|2|" is not a hash format OpenSSH knows: it is just a (never matching) host name.
    expect(bad.entries.map((e) => e.line)).toEqual([4]);
  });

  it('a @cert-authority line never pins a plain key (the CA key itself included), and says so', () => {
    const text = `@cert-authority *.example.com ${keys.ed25519.type} ${keys.ed25519.base64}`;
    expect(parseKnownHosts(text).problems).toEqual([]);
    const v = failure(verify(text, 'web.example.com', 22, keys.ed25519));
    expect(v.reason).toBe('unknown');
    expect(v.message).toContain(
      'known-hosts line(s) 1 (@cert-authority) match this host, but it presented a plain host key, not a\ncertificate',
    );
    expect(failure(verify(text, 'other.example.org', 22, keys.ed25519)).message).not.toContain('@cert-authority');
  });

  it('accepts the suggested line once added (round trip)', () => {
    for (const port of [22, 2222]) {
      const v = failure(verify('', 'deploy.example.com', port, keys.ecdsa));
      expect(verify(v.suggestedLine, 'deploy.example.com', port, keys.ecdsa)).toEqual({ ok: true });
    }
  });
});

describe('verifyHostKey failures', () => {
  it('reports an unknown host with a helpful message (empty known-hosts)', () => {
    const v = failure(verify('', 'deploy.example.com', 2222, keys.ed25519));
    const fp = fingerprintSha256(keys.ed25519.blob);
    expect(v.reason).toBe('unknown');
    expect(v.keyType).toBe('ssh-ed25519');
    expect(v.fingerprint).toBe(fp);
    expect(v.suggestedLine).toBe(`[deploy.example.com]:2222 ssh-ed25519 ${keys.ed25519.base64}`);
    expect(v.message).toContain('deploy.example.com:2222');
    expect(v.message).toContain('not listed');
    expect(v.message).toContain(`ssh-ed25519 ${fp}`);
    expect(v.message).toContain(v.suggestedLine);
    expect(v.message).toContain('ssh-keyscan -p 2222 deploy.example.com');
    expect(v.message).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    expect(v.message.split('\n').length).toBeGreaterThan(3);
  });

  it('reports an unknown host when only other hosts are pinned', () => {
    const v = failure(verify(line('other.example.com', keys.ed25519), 'deploy.example.com', 22, keys.ed25519));
    expect(v.reason).toBe('unknown');
    expect(v.suggestedLine).toBe(`deploy.example.com ssh-ed25519 ${keys.ed25519.base64}`);
    expect(v.message).toContain('ssh-keyscan -p 22 deploy.example.com');
  });

  it('reports a mismatch when the host is pinned with another key of the same type', () => {
    const v = failure(verify(line('deploy.example.com', keys.ed25519b), 'deploy.example.com', 22, keys.ed25519));
    expect(v.reason).toBe('mismatch');
    expect(v.fingerprint).toBe(fingerprintSha256(keys.ed25519.blob));
    expect(v.message).toContain('CHANGED');
    expect(v.message).toMatch(/man-in-the-middle/);
    expect(v.message).toContain('pinned key type(s): ssh-ed25519');
    expect(v.message).toContain(v.suggestedLine);
    expect(v.message).toContain(fingerprintSha256(keys.ed25519.blob));
  });

  it('reports a mismatch when a different key type is pinned than offered', () => {
    const text = [line('deploy.example.com', keys.rsa), line('deploy.example.com', keys.ecdsa)].join('\n');
    const v = failure(verify(text, 'deploy.example.com', 22, keys.ed25519));
    expect(v.reason).toBe('mismatch');
    expect(v.keyType).toBe('ssh-ed25519');
    expect(v.message).toContain('CHANGED');
    expect(v.message).toContain('ssh-rsa, ecdsa-sha2-nistp384');
  });

  it('refuses a revoked key even when another line pins it', () => {
    const text = [
      line('deploy.example.com', keys.ed25519),
      `@revoked * ${keys.ed25519.type} ${keys.ed25519.base64}`,
    ].join('\n');
    const v = failure(verify(text, 'deploy.example.com', 22, keys.ed25519));
    expect(v.reason).toBe('revoked');
    expect(v.message).toContain('REVOKED');
    expect(v.message).toContain('line 2');
    expect(v.message).toContain(fingerprintSha256(keys.ed25519.blob));
    // Revoking one key does not affect other keys pinned for the host.
    expect(verify(`${text}\n${line('deploy.example.com', keys.rsa)}`, 'deploy.example.com', 22, keys.rsa).ok).toBe(
      true,
    );
  });

  it('refuses a revoked key for a matching host even if it is pinned under a hashed name', () => {
    const hashed = hashWithOpenSsh(`${line('deploy.example.com', keys.rsa)}\n`);
    const text = `${hashed}@revoked deploy.example.com ${keys.rsa.type} ${keys.rsa.base64}\n`;
    expect(failure(verify(text, 'deploy.example.com', 22, keys.rsa)).reason).toBe('revoked');
  });
});

describe('pinnedHostKeyAlgorithms', () => {
  const kh = (): KnownHosts =>
    parseKnownHosts(
      [
        line('ed.example.com', keys.ed25519),
        line('rsa.example.com', keys.rsa),
        line('ec.example.com', keys.ecdsa),
        line('multi.example.com', keys.rsa),
        line('multi.example.com', keys.ed25519),
        `@revoked multi.example.com ${keys.ecdsa.type} ${keys.ecdsa.base64}`,
        `@cert-authority *.example.com ${keys.ecdsa.type} ${keys.ecdsa.base64}`,
        line('[ed.example.com]:2222', keys.rsa),
      ].join('\n'),
    );

  it('maps pinned key types to ssh2 host key algorithm names', () => {
    expect(pinnedHostKeyAlgorithms(kh(), 'ed.example.com', 22)).toEqual(['ssh-ed25519']);
    expect(pinnedHostKeyAlgorithms(kh(), 'rsa.example.com', 22)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(pinnedHostKeyAlgorithms(kh(), 'ec.example.com', 22)).toEqual(['ecdsa-sha2-nistp384']);
    expect(pinnedHostKeyAlgorithms(kh(), 'ed.example.com', 2222)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('combines several pinned types and ignores revoked and CA lines', () => {
    expect(pinnedHostKeyAlgorithms(kh(), 'multi.example.com', 22)).toEqual([
      'ssh-ed25519',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
  });

  it('returns undefined when nothing is pinned for the host', () => {
    expect(pinnedHostKeyAlgorithms(kh(), 'nothing.example.com', 22)).toBeUndefined();
    expect(pinnedHostKeyAlgorithms(kh(), 'rsa.example.com', 2222)).toBeUndefined();
    expect(pinnedHostKeyAlgorithms(parseKnownHosts(''), 'ed.example.com', 22)).toBeUndefined();
  });

  it('works with hashed entries', () => {
    const hashed = parseKnownHosts(hashWithOpenSsh(`${line('[h.example.com]:2022', keys.ecdsa)}\n`));
    expect(pinnedHostKeyAlgorithms(hashed, 'h.example.com', 2022)).toEqual(['ecdsa-sha2-nistp384']);
    expect(pinnedHostKeyAlgorithms(hashed, 'h.example.com', 22)).toBeUndefined();
  });
});
