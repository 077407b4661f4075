import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dirs.js';

/** A CA and keys signed by it, made by ssh-keygen in a temp dir. */
export function makeCa(): {
  dir: string;
  caPub: string;
  sign(type: string, validity: string, principal?: string): Signed;
} {
  const dir = tempDir('da-ca-');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', join(dir, 'ca')]);
  let n = 0;
  return {
    dir,
    caPub: join(dir, 'ca.pub'),
    sign(type, validity, principal = 'root') {
      const key = join(dir, `id_${type}_${n++}`);
      const bits =
        type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : type === 'ecdsa521' ? ['-b', '521'] : [];
      execFileSync('ssh-keygen', [
        '-q',
        '-t',
        type === 'ecdsa521' ? 'ecdsa' : type,
        ...bits,
        '-N',
        '',
        '-C',
        'test',
        '-f',
        key,
      ]);
      execFileSync('ssh-keygen', [
        '-q',
        '-s',
        join(dir, 'ca'),
        '-I',
        `deploy-${n}`,
        '-n',
        principal,
        '-V',
        validity,
        `${key}.pub`,
      ]);
      return {
        keyPath: key,
        privateKey: readFileSync(key, 'utf8'),
        certificate: readFileSync(`${key}-cert.pub`, 'utf8'),
      };
    },
  };
}
/** A host key of `type` with a host certificate signed by the CA for `principal` (a host name), valid for an hour. */
export function signHostKey(
  ca: { dir: string },
  type: string,
  principal: string,
): { keyPath: string; certPath: string } {
  const key = join(ca.dir, `host_${type}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test-host', '-f', key]);
  execFileSync('ssh-keygen', [
    '-q',
    '-s',
    join(ca.dir, 'ca'),
    '-h',
    '-I',
    'host',
    '-n',
    principal,
    '-V',
    '+1h',
    `${key}.pub`,
  ]);
  return { keyPath: key, certPath: `${key}-cert.pub` };
}

export interface Signed {
  keyPath: string;
  privateKey: string;
  certificate: string;
}
