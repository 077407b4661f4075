import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dirs.js';

/** A host key and its certificate, made by ssh-keygen. */
export interface HostCert {
  /** The host's private key (sshd's HostKey). */
  keyPath: string;
  /** The certificate file (sshd's HostCertificate). */
  certPath: string;
  /** The certificate as the host presents it (SSH wire format). */
  blob: Buffer;
  /** The certified key's public blob (SSH wire format). */
  publicKey: Buffer;
  /** The certified key as a `.pub` line (type base64). */
  publicLine: string;
}

export interface SignOptions {
  /** Host key type (default ed25519), or an existing HostCert whose key is signed again. */
  key?: 'ed25519' | 'ecdsa' | 'rsa' | HostCert;
  /** -n; empty: no principals at all. Default ['127.0.0.1', 'localhost']. */
  principals?: string[];
  /** -V (default +1h). */
  validity?: string;
  /** A user certificate (no -h). */
  user?: boolean;
  /** -t: the CA's signature algorithm (e.g. rsa-sha2-256, ssh-rsa). */
  signatureAlgorithm?: string;
}

/** A certificate authority (ssh-keygen key pair in a temp dir) that signs host keys. */
export interface HostCa {
  dir: string;
  /** The CA's public key line (type base64 comment). */
  publicLine: string;
  /** `@cert-authority PATTERNS <CA key>`. */
  line(patterns: string): string;
  sign(options?: SignOptions): HostCert;
}

let serial = 0;

export function makeHostCa(type: 'ed25519' | 'ecdsa' | 'ecdsa384' | 'rsa' = 'ed25519'): HostCa {
  const dir = tempDir('da-host-ca-');
  const ca = join(dir, 'ca');
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa384' ? ['-b', '384'] : [];
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type === 'ecdsa384' ? 'ecdsa' : type,
    ...bits,
    '-N',
    '',
    '-C',
    'test-ca',
    '-f',
    ca,
  ]);
  const publicLine = readFileSync(`${ca}.pub`, 'utf8').trim();
  return {
    dir,
    publicLine,
    line: (patterns) => `@cert-authority ${patterns} ${publicLine}`,
    sign(options = {}) {
      let keyPath: string;
      if (typeof options.key === 'object') {
        keyPath = options.key.keyPath;
      } else {
        const keyType = options.key ?? 'ed25519';
        keyPath = join(dir, `host_${keyType}_${serial++}`);
        const keyBits = keyType === 'rsa' ? ['-b', '2048'] : [];
        execFileSync('ssh-keygen', ['-q', '-t', keyType, ...keyBits, '-N', '', '-C', 'test-host', '-f', keyPath]);
      }
      const principals = options.principals ?? ['127.0.0.1', 'localhost'];
      execFileSync('ssh-keygen', [
        '-q',
        '-s',
        ca,
        ...(options.user ? [] : ['-h']),
        ...(options.signatureAlgorithm ? ['-t', options.signatureAlgorithm] : []),
        '-I',
        `host-${serial++}`,
        ...(principals.length ? ['-n', principals.join(',')] : []),
        '-V',
        options.validity ?? '+1h',
        `${keyPath}.pub`,
      ]);
      const certPath = `${keyPath}-cert.pub`;
      const publicLine = readFileSync(`${keyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
      return {
        keyPath,
        certPath,
        blob: Buffer.from(readFileSync(certPath, 'utf8').trim().split(' ')[1]!, 'base64'),
        publicKey: Buffer.from(publicLine.split(' ')[1]!, 'base64'),
        publicLine,
      };
    },
  };
}
