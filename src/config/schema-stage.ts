/** The keys of `stage` and `switch` (see docs "Stage, then switch"): how long a hold lasts, the preview link. */
import { key, type KeySpecs } from './kind.js';
import { duration, text } from './kinds.js';

const RESERVED = ['current', 'releases', 'shared', '.deploy'];

/** A link name in the deploy path: one plain segment, not one of the layout's own names. */
function previewProblem(value: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value))
    return 'must be one plain name in the deploy path (letters, digits, `.`, `_`, `-`), such as `preview`';
  return RESERVED.includes(value) ? `must not be ${value}: the deploy path's layout uses that name` : undefined;
}

/** The longest `stage_ttl`: a hold whose expiry lies further ahead is treated as expired (sh/stage.sh, same figure). */
export const STAGE_TTL_MAX_MS = 30 * 24 * 3_600_000;

/** Spread into ENVIRONMENT_KEYS. */
export const STAGE_KEYS = {
  stage_ttl: key({
    kind: duration(1_000, STAGE_TTL_MAX_MS),
    default: 7_200_000,
    description:
      'How long a staged release (`command: stage`) holds each host before it expires, as a duration (`30m`, `2h`, or seconds); an expired hold is undone by the next deploy, stage or unlock. Default `2h`.',
  }),
  preview_link: key({
    kind: text({ label: 'link name', check: previewProblem, schema: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' } }),
    description:
      'A link in the deploy path (e.g. `preview`) that points at the staged release while one is staged, so it can be looked at before `switch`; removed on switch or discard.',
  }),
} satisfies KeySpecs;
