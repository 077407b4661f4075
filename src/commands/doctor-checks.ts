import type { EnvironmentConfig, HostConfig } from '../config/index.js';
import { MIN_BASH, HOST_TOOLS } from '../remote/tools.js';
import type { DoctorFacts } from '../remote/steps/doctor.js';
import { lockHolder } from '../remote/steps/lock.js';
import { type Block, type Inline, table, ticks } from '../report/document.js';
import { size } from '../units.js';
import { describeHeldLock } from './host-messages.js';
import type { Surface } from '../config/index.js';

/** One check's outcome on one host: ✓ passed, ⚠ a deploy works but something is off, ✗ a deploy would fail. */
export interface CheckRow {
  mark: '✓' | '⚠' | '✗';
  check: string;
  found: string;
  /** What to do (for ⚠ and ✗); `backticks` mark commands and paths. */
  fix: string;
}

/** Clock skew beyond which the host is warned about (history times, lock ages, TLS and cache headers go wrong). */
export const MAX_SKEW_SECONDS = 60;

/** The first tools the session checks, named in the table (the rest are counted). */
const NAMED_TOOLS = ['tar', 'gzip', 'sha256sum', 'find', 'sort', 'awk', 'base64', 'flock'];

export interface HostEvidence {
  /** What the doctor step reported (undefined when the session did not run it). */
  facts?: DoctorFacts;
  /** Lines the login files printed before the session started. */
  loginLines: number;
  /** Why the host could not be checked: the connection or the session start failed (step and message). */
  failure?: { step: string; message: string };
  /** The runner's clock when the host answered, ms since the epoch. */
  answeredAt: number;
}

/** What a check needs besides the host's facts: the config and the size of the build. */
export interface DoctorContext {
  config: EnvironmentConfig;
  buildBytes: number;
  surface?: Surface;
}

const ok = (check: string, found: string): CheckRow => ({ mark: '✓', check, found, fix: '' });

/** The rows of one host's table, in the order a deploy meets them. */
export function checkRows(host: HostConfig, e: HostEvidence, c: DoctorContext): CheckRow[] {
  const rows: CheckRow[] = [];
  if (e.failure?.step === 'connect') {
    rows.push({ mark: '✗', check: 'SSH login', found: 'could not connect', fix: e.failure.message });
    return rows;
  }
  rows.push(ok('SSH login', `as ${host.user ?? 'this machine'}`));
  if (e.failure?.step === 'tools') {
    rows.push({ mark: '✗', check: 'bash and tools', found: 'missing or unsupported', fix: e.failure.message });
    return rows;
  }
  if (e.failure) {
    // No hello in time (session-start.ts notStarted): a login file read input or exec-ed another shell.
    const login = /did not start the session/.test(e.failure.message);
    rows.push({
      mark: '✗',
      check: login ? 'login files' : 'session start',
      found: login ? 'kept the session from starting' : 'the session did not start',
      fix: e.failure.message,
    });
    return rows;
  }
  const f = e.facts;
  if (!f) return rows;
  rows.push(ok('bash', `${f.bash ?? '?'} (${MIN_BASH.join('.')} or later needed)`));
  const more = HOST_TOOLS.length - NAMED_TOOLS.length;
  rows.push(ok('tools', `${NAMED_TOOLS.join(', ')} and ${more} more: GNU, no busybox applet`));
  rows.push(
    e.loginLines > 0
      ? {
          mark: '⚠',
          check: 'login files',
          found: `printed ${e.loginLines} line${e.loginLines === 1 ? '' : 's'} before the session started`,
          fix: 'make the login files quiet when not interactive: put `[[ $- == *i* ]] || return` at the top of `~/.bashrc` (the lines land in every deploy log)',
        }
      : ok('login files', 'quiet, no input read'),
  );
  rows.push(pathRow(host, f));
  rows.push(diskRow(f, c.buildBytes));
  const cfg = c.config;
  if (f.setfacl !== undefined)
    rows.push(
      f.setfacl
        ? ok('setfacl', 'found (writable_mode: acl)')
        : {
            mark: '✗',
            check: 'setfacl',
            found: 'not found in PATH (writable_mode: acl needs it)',
            fix: 'install the acl package (`apt-get install acl`, `apk add acl`), or choose another `writable_mode`',
          },
    );
  if (f.sudo !== undefined) {
    const keys = [cfg.writableUseSudo && 'writable_use_sudo', cfg.clearUseSudo && 'clear_use_sudo'].filter(Boolean);
    rows.push(
      f.sudo
        ? ok('sudo', `\`sudo -n true\` works (${keys.join(', ')})`)
        : {
            mark: '✗',
            check: 'sudo',
            found: `\`sudo -n true\` fails (${keys.join(', ')} set)`,
            fix: `let ${host.user ?? 'the deploy user'} run sudo without a password (a NOPASSWD rule in sudoers), or turn off ${keys.join(' and ')}`,
          },
    );
  }
  if (f.httpUser !== undefined)
    rows.push(
      f.httpUser
        ? ok('http_user', `${cfg.httpUser} exists`)
        : {
            mark: '✗',
            check: 'http_user',
            found: `no user ${cfg.httpUser} on this host`,
            fix: "set `http_user` to the web server's user on this host (`ps -o user= -C nginx`), or create it",
          },
    );
  rows.push(clockRow(f, e.answeredAt));
  rows.push(lockRow(f, cfg.environment, c.surface));
  return rows;
}

function pathRow(host: HostConfig, f: DoctorFacts): CheckRow {
  const path = host.deployPath;
  if (f.exists && !f.unwritable.length) return ok('deploy path', `${path} is writable`);
  if (!f.exists && !f.unwritable.length)
    return ok(
      'deploy path',
      `${path} does not exist yet; ${f.parent ?? 'its parent'} is writable: the first deploy creates it`,
    );
  const who = host.user ?? 'the deploy user';
  if (!f.exists) {
    return {
      mark: '✗',
      check: 'deploy path',
      found: `${path} does not exist and ${f.parent ?? 'its parent'} is not writable`,
      fix: `create it for ${who}: \`sudo mkdir -p ${path} && sudo chown ${who} ${path}\`, or choose a \`deploy_path\` ${who} can write to`,
    };
  }
  const names = f.unwritable.map((p) => (p === '.' ? path : `${path}/${p}`));
  return {
    mark: '✗',
    check: 'deploy path',
    found: `not writable: ${names.join(', ')}`,
    fix: `give ${who} write access: \`sudo chown -R ${who} ${path}\` (or check that its filesystem is not read-only)`,
  };
}

function diskRow(f: DoctorFacts, buildBytes: number): CheckRow {
  if (f.freeKb === undefined)
    return {
      mark: '⚠',
      check: 'free disk',
      found: 'unknown (`df` gave no figure)',
      fix: 'check the free space yourself',
    };
  const free = f.freeKb * 1024;
  const found = `${size(free)} free; the build is about ${size(buildBytes)}`;
  if (free < buildBytes)
    return {
      mark: '✗',
      check: 'free disk',
      found,
      fix: 'free space in the filesystem of the deploy path (old releases: lower `keep_releases`), or grow it',
    };
  if (free < 2 * buildBytes)
    return {
      mark: '⚠',
      check: 'free disk',
      found,
      fix: 'room for one release only: free space before the next deploys (lower `keep_releases`)',
    };
  return ok('free disk', found);
}

function clockRow(f: DoctorFacts, answeredAt: number): CheckRow {
  if (f.clock === undefined) return { mark: '⚠', check: 'clock', found: 'unknown', fix: 'check the host clock' };
  const skew = Math.round(f.clock - answeredAt / 1000);
  const found =
    skew === 0 ? 'in step with the runner' : `${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the runner`;
  if (Math.abs(skew) <= MAX_SKEW_SECONDS) return ok('clock', found);
  return {
    mark: '⚠',
    check: 'clock',
    found,
    fix: 'sync the host clock (NTP: `timedatectl set-ntp true`): release names, history times and lock ages use it',
  };
}

function lockRow(f: DoctorFacts, environment: string, surface?: Surface): CheckRow {
  if (!f.lockHeld) return ok('deploy lock', 'free');
  const alive = lockHolder(f.lock).alive;
  return {
    mark: alive ? '⚠' : '✗',
    check: 'deploy lock',
    found: alive ? 'held by a run still going' : 'held by a run that has ended',
    fix: describeHeldLock(f.lock, environment, surface),
  };
}

/** A host's table as report blocks (host text in `found` was checked by readDoctor; renderers escape it). */
export function checkTable(rows: CheckRow[]): Block {
  const cell = (text: string): Inline => ticks(text);
  return table(
    ['', 'Check', 'Found', 'Fix'],
    rows.map((r) => [r.mark, r.check, cell(r.found), cell(r.fix)]),
  );
}
