import { httpsUrl, plainText, type InvalidValue } from '../../releases/history.js';
import { shownInvalid, singleValues } from '../data.js';
import { q } from '../quote.js';
import { STOP, type Step } from '../phase.js';
import { STAGE_UNDO_LIB } from './stage.js';

/** Exit status of the lock step when another run holds the lock. */
export const LOCK_HELD = 75;

export { LOCK_LOST } from '../fence.js';

/**
 * deploy:lock: `mkdir` is the atomic test-and-set. The lock records who holds it and the holder's session process
 * (pid and boot id), so a later run can tell a live holder from one whose process is gone.
 *
 * A lock held by a staged release (`stage-NAME`, see steps/stage.ts) stops the phase (STOP) in the first request:
 * the runner comes back to those hosts only with `reclaim`, whose step brings the hold's undo (sh/stage.sh
 * da_stage_reclaim, and the files step's restore): an expired hold is undone as discard does, a live one refuses.
 * So the first request of every run stays small (see MAX_SESSION_COMMAND), and the undo is shipped only when needed.
 */
export function lock(infoJson: string, o: { reclaim?: boolean } = {}): Step {
  const take = o.reclaim
    ? // A staged release's expired hold is undone like an abandoned run's lock (sh/stage.sh da_stage_reclaim).
      'mkdir .deploy/lock 2>/dev/null || { ! da_owns_lock && da_stage_reclaim && mkdir .deploy/lock 2>/dev/null; }'
    : 'mkdir .deploy/lock 2>/dev/null';
  const held = o.reclaim
    ? ''
    : `
  o=
  read -r o 2>/dev/null < .deploy/lock/owner || true
  case $o in stage-*) echo "the deploy lock is held by $o"; exit ${STOP} ;; esac`;
  return {
    id: 'lock',
    brief: true,
    label: 'lock',
    body: `if ${take}; then
  printf '%s\\n' "$DA_OWNER" > .deploy/lock/owner
  printf '{%s,"pid":%s,"boot_id":"%s"}\\n' ${q(infoJson)} "$$" "$DA_BOOT_ID" > .deploy/lock/info.json
  echo "deploy lock taken"
elif da_owns_lock; then
  echo "deploy lock already held by this run"
else${held}
  da_lock_report
  exit ${LOCK_HELD}
fi`,
    ...(o.reclaim ? { lib: STAGE_UNDO_LIB } : {}),
  };
}

/**
 * deploy:unlock: the run is committed (its pending record and its scratch dir go), then its lock is released. The
 * ownership check and the removal run under the fence, so an unlock and another run's lock cannot come between
 * them (this run would remove the other's lock). A run that lost its lock does not commit: it fails (LOCK_LOST)
 * and its abort path undoes what is provably its own.
 */
export function unlock(): Step {
  return {
    id: 'unlock',
    brief: true,
    label: 'unlock',
    fenced: true,
    // One rm, in that order: the pending record, the run's scratch dir (the steps before leave it), then the lock. A
    // scratch file that cannot go does not fail the commit (rm says which).
    body: `da_fence_lock
da_fence
rm -rf -- "$DA_PENDING" "$DA_TMP" .deploy/lock || { [ ! -e "$DA_PENDING" ] && [ ! -e .deploy/lock ]; }
echo "deploy lock released"`,
  };
}

/**
 * What a refused lock step (and inspect, on a lock this run does not hold) reports about the holder, through the
 * prelude's da_lock_report: its record, whether its session still runs, since when.
 */
export const LOCK_INFO = 'lock-info';
export const LOCK_ALIVE = 'lock-alive';
export const LOCK_SINCE = 'lock-since';
/** `yes` when the record is longer than the 4 KiB the host reads of it (sh/prelude.sh da_lock_report). */
export const LOCK_INFO_CUT = 'lock-info-cut';
export const LOCK_KEYS = [LOCK_INFO, LOCK_ALIVE, LOCK_SINCE, LOCK_INFO_CUT] as const;

/** A lock's record as the host reported it: who took it, when, and whether its session still runs. */
export interface LockHolder {
  info: Record<string, unknown>;
  /** The record could not be read as a JSON object (cut: no whole field in its first 4 KiB). */
  unreadable: boolean;
  /** The record is longer than the 4 KiB the host reads of it: `info` has the whole fields of that part. */
  cut: boolean;
  /** No record at all (the lock is being taken right now, or was left half-written). */
  empty: boolean;
  alive: boolean;
  since?: string;
  /** Fields of the record left out of `info`: not plain text (control characters, too long), or a run_url not https. */
  invalid: InvalidValue[];
}

/** A lock's record, each field checked: plain text (capped, no control characters); `run_url` an https URL. */
export function lockHolder(data: Map<string, string[]> | undefined): LockHolder {
  const invalid: InvalidValue[] = [];
  const one = singleValues({ data: data ?? new Map() }, invalid, LOCK_KEYS);
  const raw = one(LOCK_INFO);
  const info: Record<string, unknown> = {};
  let readable = false;
  const cut = one(LOCK_INFO_CUT) === 'yes';
  try {
    const parsed: unknown = cut ? leadingMembers(raw) : JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      readable = !cut || Object.keys(parsed).length > 0;
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (v === undefined || v === null || v === '') continue;
        const ok = k === 'run_url' ? httpsUrl(v) : plainText(v);
        if (ok !== undefined && plainText(k, 40) !== undefined) info[k] = ok;
        else
          invalid.push({
            what: `a field of the lock record (${shownInvalid(k)})`,
            value: typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
          });
      }
    }
  } catch {
    /* unreadable: said by the callers */
  }
  const recorded = one(LOCK_SINCE);
  const since =
    (info['started_at'] as string | undefined) || (/^[0-9TZ:.+-]{1,40}$/.test(recorded) ? recorded : undefined);
  return {
    info,
    unreadable: raw !== '' && !readable,
    cut,
    empty: raw === '',
    alive: one(LOCK_ALIVE) === 'yes',
    since,
    invalid,
  };
}

const STRING = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = /-?\d{1,20}(?:\.\d{1,20})?|true|false|null/y;

/**
 * The whole members at the start of a JSON object cut short (a lock record longer than the host reads): each a
 * string key and a string, number, boolean or null value; it stops at the first thing that is not one. Linear.
 */
export function leadingMembers(text: string): Record<string, unknown> {
  // No prototype: a key `__proto__` is a member like any other.
  const out = Object.create(null) as Record<string, unknown>;
  let at = 0;
  const take = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m) at = re.lastIndex;
    return m?.[0];
  };
  const ws = /\s*/y;
  take(ws);
  if (text[at] !== '{') return out;
  for (let sep = '{'; sep === '{' || sep === ','; ) {
    at++;
    take(ws);
    const key = take(STRING);
    take(ws);
    if (key === undefined || text[at] !== ':') break;
    at++;
    take(ws);
    const value = take(STRING) ?? take(SCALAR);
    take(ws);
    sep = text[at] ?? '';
    // A value at the very end may itself be cut (a number's last digits): only a member followed by , or } is whole.
    if (value === undefined || (sep !== ',' && sep !== '}')) break;
    out[JSON.parse(key) as string] = JSON.parse(value) as unknown;
  }
  return out;
}

/** `acme/shop run 99 (attempt 2) by mona`, `a CLI run on laptop by alice`, or '' when the record says nothing. */
export function holderName(h: LockHolder): string {
  const i = h.info;
  const str = (k: string) => (i[k] === undefined || i[k] === null || i[k] === '' ? '' : String(i[k]));
  const run = str('run_id')
    ? `${str('repository') ? `${str('repository')} ` : ''}run ${str('run_id')}${str('run_attempt') ? ` (attempt ${str('run_attempt')})` : ''}`
    : str('runner')
      ? `a CLI run on ${str('runner')}`
      : '';
  const actor = str('actor');
  return run && actor ? `${run} by ${actor}` : run || actor;
}
