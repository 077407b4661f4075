/**
 * Host-key verification against the `known-hosts` input, following OpenSSH's known_hosts semantics
 * (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). It fails closed: a host without a matching pinned key is refused.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  patterns: string[] | { hashed: { salt: Buffer; hash: Buffer } };
  keyType: string;
  /** The decoded key blob (SSH wire format). */
  key: Buffer;
  /** 1-based line number in the `known-hosts` input. */
  line: number;
}

export interface KnownHosts {
  entries: KnownHostEntry[];
  /** Malformed lines, e.g. 'known-hosts line 3: ...'. Never contains key material beyond the key type. */
  problems: string[];
  /** How messages name the list (default: the action's `known-hosts` input). */
  source?: KnownHostsSource;
}

/** How messages name a known-hosts list and its lines: the action's input, or the CLI's file. */
export interface KnownHostsSource {
  /** The list, e.g. "the `known-hosts` input" or a file's path. */
  name: string;
  /** What precedes a line number, e.g. "known-hosts line" (then " 3"). */
  line: string;
}

export const KNOWN_HOSTS_INPUT: KnownHostsSource = { name: 'the `known-hosts` input', line: 'known-hosts line' };

export type HostKeyVerdict =
  | { ok: true }
  | {
      ok: false;
      /** `certificate`: a host certificate refused (see host-certificate.ts). */
      reason: 'unknown' | 'mismatch' | 'revoked' | 'certificate';
      keyType: string;
      fingerprint: string;
      suggestedLine: string;
      message: string;
    };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HASH_MAGIC = '|1|';

/** Reads the first SSH string (uint32 length + bytes) of a key blob: the key type. Throws if truncated. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('SSH key blob is too short');
  const len = blob.readUInt32BE(0);
  if (len === 0 || 4 + len > blob.length) throw new Error('SSH key blob has an invalid key type length');
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** 'SHA256:<base64 without padding>', exactly as `ssh-keygen -l` prints it. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH looks up (and writes) in known_hosts: 'host' for port 22, '[host]:port' otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function parseHashed(field: string): { salt: Buffer; hash: Buffer } | undefined {
  const [salt, hash, ...rest] = field.slice(HASH_MAGIC.length).split('|');
  if (rest.length > 0 || !salt || !hash || !BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  const parsed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  return parsed.salt.length === 20 && parsed.hash.length === 20 ? parsed : undefined;
}

/** Parses known_hosts text. Malformed lines are skipped and described in `problems`. */
export function parseKnownHosts(text: string, source?: KnownHostsSource): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  const parseLine = (raw: string, index: number) => {
    const line = index + 1;
    const fail = (why: string): void => void problems.push(`${(source ?? KNOWN_HOSTS_INPUT).line} ${line}: ${why}`);
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;

    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m !== '@revoked' && m !== '@cert-authority') return fail(`unknown marker "${m}"`);
      marker = m;
    }
    const [hostField, keyType, keyText] = fields;
    if (keyType === undefined || keyText === undefined) {
      return fail('expected "[marker] hostnames keytype base64-key [comment]"');
    }
    if (/^\d+$/.test(keyType)) return fail('SSH protocol 1 (RSA1) keys are not supported');

    let patterns: KnownHostEntry['patterns'];
    if (hostField.startsWith(HASH_MAGIC)) {
      const hashed = parseHashed(hostField);
      if (!hashed) return fail('malformed hashed hostname (expected |1|base64-salt|base64-hash)');
      patterns = { hashed };
    } else {
      patterns = hostField.split(',');
      if (patterns.some((p) => p === '' || p === '!')) return fail('empty hostname pattern');
    }

    if (!BASE64.test(keyText)) return fail(`${keyType} key is not valid base64`);
    const key = Buffer.from(keyText, 'base64');
    let embedded: string;
    try {
      embedded = keyTypeOf(key);
    } catch {
      return fail(`${keyType} key data is truncated or corrupt`);
    }
    if (embedded !== keyType) return fail(`key type "${keyType}" does not match the key data ("${embedded}")`);
    entries.push({ ...(marker ? { marker } : {}), patterns, keyType, key, line });
  };
  for (const [index, raw] of text.split(/\r?\n/).entries()) parseLine(raw, index);
  return { entries, problems, ...(source ? { source } : {}) };
}

/** OpenSSH match_pattern: `*` and `?` wildcards over the whole (lower-cased) string. */
// Every host is matched against every line: a fleet's known_hosts makes that hosts × lines, so a pattern is compiled
// once, and one without wildcards (nearly all) is a string comparison.
const compiled = new Map<string, RegExp | string>();
function globMatch(name: string, pattern: string): boolean {
  let m = compiled.get(pattern);
  if (m === undefined) {
    const lower = pattern.toLowerCase();
    const source = [...lower]
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    m = /[*?]/.test(lower) ? new RegExp(`^${source}$`, 's') : lower;
    compiled.set(pattern, m);
  }
  return typeof m === 'string' ? m === name : m.test(name);
}

function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (!Array.isArray(entry.patterns)) {
    const { salt, hash } = entry.patterns.hashed;
    return timingSafeEqual(createHmac('sha1', salt).update(name).digest(), hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    const negated = pattern.startsWith('!');
    if (globMatch(name, negated ? pattern.slice(1) : pattern)) {
      if (negated) return false; // a matching negation excludes the whole line
      matched = true;
    }
  }
  return matched;
}

/**
 * Entries whose host patterns match host:port: unmarked (pinned) lines and `@revoked` ones decide on plain keys;
 * `@cert-authority` lines on host certificates (host-certificate.ts).
 */
export function entriesFor(kh: KnownHosts, host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host.toLowerCase(), port);
  // A connection asks two or three times (the algorithms to offer, the key's verdict, a certificate's); each asking
  // walks every line, and a hashed line costs an HMAC. Remembered per list and host: a fleet's hashed known_hosts
  // cost hosts × lines HMACs once, not three times. A list whose lines changed is walked again.
  let memo = matched.get(kh.entries);
  if (!memo || memo.lines !== kh.entries.length) {
    memo = { lines: kh.entries.length, byName: new Map() };
    matched.set(kh.entries, memo);
  }
  let found = memo.byName.get(name);
  if (!found) {
    found = kh.entries.filter((e) => entryMatchesHost(e, name));
    memo.byName.set(name, found);
  }
  return [...found];
}

const matched = new WeakMap<KnownHostEntry[], { lines: number; byName: Map<string, KnownHostEntry[]> }>();

/** ssh2 host-key algorithm names per key type, in ssh2's default preference order. */
const ALGORITHMS_BY_KEY_TYPE: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
  ['ssh-dss', ['ssh-dss']],
];

/**
 * The ssh2 `algorithms.serverHostKey` list restricted to the key types pinned (non-revoked) for this host, so that
 * negotiation picks a key we can verify. Undefined when no usable key type is pinned (the verifier refuses anyway).
 */
export function pinnedHostKeyAlgorithms(kh: KnownHosts, host: string, port: number): string[] | undefined {
  const pinned = new Set(
    entriesFor(kh, host, port)
      .filter((e) => !e.marker)
      .map((e) => e.keyType),
  );
  const algorithms = ALGORITHMS_BY_KEY_TYPE.filter(([type]) => pinned.has(type)).flatMap(([, names]) => names);
  return algorithms.length > 0 ? algorithms : undefined;
}

/** The server-side public host key file that `ssh-keygen -lf` should be run on. */
export function serverKeyFile(keyType: string): string {
  const short: Record<string, string> = { 'ssh-ed25519': 'ed25519', 'ssh-rsa': 'rsa', 'ssh-dss': 'dsa' };
  const name = keyType.startsWith('ecdsa-') ? 'ecdsa' : (short[keyType] ?? '*');
  return `/etc/ssh/ssh_host_${name}_key.pub`;
}

/** Why a matching `@cert-authority` line did not let the host in: the host presented a plain key. */
function certificateAuthorityNote(matching: KnownHostEntry[], source: KnownHostsSource): string[] {
  const lines = matching.filter((e) => e.marker === '@cert-authority').map((e) => e.line);
  if (lines.length === 0) return [];
  return [
    `${source.line}(s) ${lines.join(', ')} (@cert-authority) match this host, but it presented a plain host key, not a`,
    "certificate: give the host a certificate signed by that CA (sshd's HostCertificate), or pin its key.",
  ];
}

/** Checks the server's plain host key blob against the entries for host:port. Fails closed. */
export function verifyHostKey(kh: KnownHosts, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const matching = entriesFor(kh, host, port);
  const source = kh.source ?? KNOWN_HOSTS_INPUT;
  const revoked = matching.find((e) => e.marker === '@revoked' && e.key.equals(blob));
  const pinned = matching.filter((e) => !e.marker);
  if (!revoked && pinned.some((e) => e.key.equals(blob))) return { ok: true };

  let keyType: string;
  try {
    keyType = keyTypeOf(blob);
  } catch {
    keyType = 'unparseable-key';
  }
  const fingerprint = fingerprintSha256(blob);
  const suggestedLine = `${knownHostsName(host, port)} ${keyType} ${blob.toString('base64')}`;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reason = revoked ? 'revoked' : pinned.length > 0 ? 'mismatch' : 'unknown';
  const offered = `  Offered host key: ${keyType} ${fingerprint}`;
  const outOfBand = [
    'Obtain the key out of band rather than trusting this message: run',
    `  ssh-keyscan -p ${port} ${host}`,
    `from a trusted network and check that its fingerprint equals the output of`,
    `  ssh-keygen -lf ${serverKeyFile(keyType)}`,
    'run on the server itself (for example from its console).',
  ];

  let lines: string[];
  if (revoked) {
    lines = [
      `Host key verification failed for ${where}: the offered host key is REVOKED`,
      `(marked @revoked on ${source.line} ${revoked.line}). Refusing to connect.`,
      offered,
      `Do not re-add this key: give the server a new host key, then pin that one in ${source.name}.`,
      ...outOfBand,
    ];
  } else {
    const types = [...new Set(pinned.map((e) => e.keyType))].join(', ');
    const head =
      reason === 'mismatch'
        ? [
            `WARNING: host key verification failed for ${where}: the host key has CHANGED.`,
            `The offered key differs from the key(s) pinned for this host in ${source.name}`,
            `(pinned key type(s): ${types}; ${source.line}(s) ${pinned.map((e) => e.line).join(', ')}).`,
            'Someone could be intercepting the connection (man-in-the-middle attack), or the server was reinstalled',
            'or its host key was replaced. Refusing to connect.',
            offered,
            'Only if the change is expected and verified, replace the pinned line(s) with:',
          ]
        : [
            `Host key verification failed for ${where}: the host is not listed in ${source.name}`,
            `(looked up as "${knownHostsName(host, port)}"). Refusing to connect to an unknown host.`,
            ...certificateAuthorityNote(matching, source),
            offered,
            `To trust this host, add this line to ${source.name}:`,
          ];
    lines = [...head, `  ${suggestedLine}`, ...outOfBand];
  }
  return { ok: false, reason, keyType, fingerprint, suggestedLine, message: lines.join('\n') };
}
