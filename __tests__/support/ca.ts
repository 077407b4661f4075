import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and keys signed by it, made by ssh-keygen in a temp dir. */
export function makeCa(): {
  dir: string;
  caPub: string;
  sign(type: string, validity: string, principal?: string): Signed;
} {
  const dir = mkdtempSync(join(tmpdir(), 'da-ca-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', join(dir, 'ca')]);
  let n = 0;
  return {
    dir,
    caPub: join(dir, 'ca.pub'),
    sign(type, validity, principal = 'root') {
      const key = join(dir, `id_${type}_${n++}`);
      const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : [];
      execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', 'test', '-f', key]);
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
export interface Signed {
  keyPath: string;
  privateKey: string;
  certificate: string;
}
