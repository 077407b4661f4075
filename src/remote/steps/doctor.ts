import type { InvalidValue } from '../../releases/history.js';
import { singleValues } from '../data.js';
import type { Step } from '../phase.js';
import { q } from '../quote.js';
import type { PhaseResult } from '../session.js';
import { DOCTOR_SH } from '../sh/index.js';
import { LOCK_INFO, LOCK_KEYS } from './lock.js';

/**
 * doctor: reads, in one step and without changing anything (no lock taken, no directory created), what a deploy
 * needs of a host beyond the tools the session start checks: bash's version, write access to the deploy path (or to
 * the parent it would be created in), free disk there, setfacl, `sudo -n`, the web server's user, the host's clock
 * and the lock's state.
 */
export function doctor(opts: { acl: boolean; sudo: boolean; httpUser?: string }): Step {
  return {
    id: 'doctor',
    label: 'doctor',
    mayLackDeployPath: true,
    body: `acl=${opts.acl ? 'yes' : ''}\nsudo=${opts.sudo ? 'yes' : ''}\nhttp_user=${q(opts.httpUser ?? '')}\n${DOCTOR_SH}`,
  };
}

/** The keys doctor reports (sh/doctor.sh), each once; a held lock adds the lock's keys (LOCK_KEYS). */
const BASH = 'doctor-bash';
const CLOCK = 'doctor-clock';
const EXISTS = 'doctor-exists';
const PARENT = 'doctor-parent';
const UNWRITABLE = 'doctor-unwritable';
const FREE_KB = 'doctor-free-kb';
const SETFACL = 'doctor-setfacl';
const SUDO = 'doctor-sudo';
const HTTP_USER = 'doctor-http-user';
const LOCK = 'doctor-lock';
export const DOCTOR_KEYS = [BASH, CLOCK, EXISTS, PARENT, UNWRITABLE, FREE_KB, SETFACL, SUDO, HTTP_USER, LOCK] as const;

/** What doctor found on one host; a check that was not asked for (or not answered) is undefined. */
export interface DoctorFacts {
  bash?: string;
  /** The host's clock, seconds since the epoch. */
  clock?: number;
  /** The deploy path exists. */
  exists: boolean;
  /** When it does not: the nearest existing parent, where it would be created. */
  parent?: string;
  /** Paths (relative to the deploy path: `.`, `releases`, `shared`, `.deploy`; or the parent) that are not writable. */
  unwritable: string[];
  /** Free space in the deploy path's filesystem, KiB. */
  freeKb?: number;
  setfacl?: boolean;
  sudo?: boolean;
  httpUser?: boolean;
  /** The lock's state; when held, `lock` carries the holder's record (see lockHolder). */
  lockHeld?: boolean;
  lock?: Map<string, string[]>;
  invalid: InvalidValue[];
}

const BASH_VERSION = /^\d{1,3}\.\d{1,3}[\w.()-]{0,40}$/;
const DIGITS = /^\d{1,15}$/;
const DEPLOY_DIRS = new Set(['.', 'releases', 'shared', '.deploy']);

/**
 * What doctor reported, each value checked against what it can be (a version, a number, yes/no, one of the paths
 * the step looks at); anything else is left out and listed in `invalid`.
 */
export function readDoctor(result: Pick<PhaseResult, 'data'>, deployPath: string): DoctorFacts {
  const invalid: InvalidValue[] = [];
  const one = singleValues(result, invalid, [...DOCTOR_KEYS, ...LOCK_KEYS]);
  const checked = (key: string, ok: (v: string) => boolean, what: string): string | undefined => {
    const value = one(key);
    if (value === '') return undefined;
    if (ok(value)) return value;
    invalid.push({ what: `${what} (${key}) that is not one`, value });
    return undefined;
  };
  const flag = (key: string) => {
    const v = checked(key, (x) => x === 'yes' || x === 'no', 'a yes or no');
    return v === undefined ? undefined : v === 'yes';
  };
  const isParent = (p: string) => p === '/' || p === '.' || deployPath.startsWith(`${p}/`);
  const parent = checked(PARENT, isParent, 'a parent of the deploy path');
  const unwritable: string[] = [];
  for (const p of one(UNWRITABLE).split('\n').filter(Boolean)) {
    if (DEPLOY_DIRS.has(p) || p === parent) unwritable.push(p);
    else invalid.push({ what: 'an unwritable path that doctor does not check', value: p });
  }
  const number = (key: string, what: string) => {
    const v = checked(key, (x) => DIGITS.test(x), what);
    return v === undefined ? undefined : Number(v);
  };
  const lock = checked(LOCK, (x) => x === 'held' || x === 'free', 'a lock state');
  return {
    bash: checked(BASH, (x) => BASH_VERSION.test(x), 'a bash version'),
    clock: number(CLOCK, 'a time'),
    exists: one(EXISTS) === 'yes',
    parent,
    unwritable,
    freeKb: number(FREE_KB, 'a size'),
    setfacl: flag(SETFACL),
    sudo: flag(SUDO),
    httpUser: flag(HTTP_USER),
    lockHeld: lock === undefined ? undefined : lock === 'held',
    lock: lock === 'held' && result.data.has(LOCK_INFO) ? result.data : undefined,
    invalid,
  };
}
