/** What the runner says about what hosts reported: values it ignored, a lock another run holds. */
import type { InvalidValue } from '../releases/history.js';
import { isReleaseName } from '../releases/name.js';
import { shownInvalid } from '../remote/data.js';
import { holderName, lockHolder } from '../remote/steps/lock.js';
import type { Surface } from '../config/index.js';
import type { CommandContext } from './context.js';

/**
 * Reports a host's invalid values: a warning in the log that shows each value escaped, and one in the summary that
 * does not show it (a summary renders Markdown). Both say it was ignored. At most 5 per host, then a count.
 */
export function reportInvalid(
  ctx: Pick<CommandContext, 'log' | 'report'>,
  host: string,
  invalid: InvalidValue[],
): void {
  const shown = invalid.slice(0, 5);
  for (const v of shown) {
    ctx.log.warning(`${host}: the host reported ${v.what}: ${shownInvalid(v.value)}; it was ignored`);
    ctx.report.warnings.push(`${host}: the host reported ${v.what} (shown in the log); it was ignored`);
  }
  if (invalid.length > shown.length) {
    const more = `${host}: the host reported ${invalid.length - shown.length} more invalid values; they were ignored`;
    ctx.log.warning(more);
    ctx.report.warnings.push(more);
  }
}

/** Says who holds a foreign lock and how to clear it, from what the lock step reported. */
export function describeHeldLock(
  data: Map<string, string[]> | undefined,
  environment: string,
  surface: Surface = 'action',
): string {
  const h = lockHolder(data);
  const who = holderName(h);
  const lines = [
    `the deploy lock is held${who ? ` by ${who}` : h.empty ? ' (its owner record is empty: it is being taken right now, or was left half-written)' : ''}` +
      `${h.since ? `, since ${h.since}` : ''}.`,
  ];
  if (h.cut)
    lines.push(
      `Its owner record (.deploy/lock/info.json) is larger than 4 KiB: only its first 4 KiB were read${h.unreadable ? ', and they hold no whole field (unreadable lock record)' : ''}.`,
    );
  else if (h.unreadable) lines.push('Its owner record (.deploy/lock/info.json) is unreadable.');
  if (h.invalid.length)
    lines.push(
      `Fields of its owner record that are not plain text are not shown (${h.invalid.map((v) => v.what).join(', ')}).`,
    );
  if (h.info['run_url']) lines.push(`Run: ${String(h.info['run_url'])}`);
  const staged = !isReleaseName(h.info['stage']) ? '' : stagedHold(h.info, environment, surface);
  lines.push(
    staged ||
      (h.alive
        ? 'Its session is still running on the host: wait for that deploy to finish.'
        : 'Its session is no longer running on the host: that run ended without releasing the lock.'),
    staged
      ? ''
      : surface === 'cli'
        ? `To clear it after checking, run deploy-action unlock ${environment}.`
        : `To clear it after checking, run this action with \`command: unlock\` (CLI: \`deploy-action unlock ${environment}\`).`,
  );
  return lines.filter(Boolean).join(' ');
}

/** A staged release's hold (see steps/stage.ts): until when, and what ends it. */
function stagedHold(info: Record<string, unknown>, environment: string, surface: Surface): string {
  const name = String(info['stage']);
  const how =
    surface === 'cli'
      ? `deploy-action switch ${environment} --release ${name} (or discard)`
      : `\`command: switch\` (or \`discard\`) with \`release: ${name}\``;
  return `It holds the staged release ${name} until ${String(info['expires_at'] ?? 'its expiry')} (then the next deploy undoes it): make it live with ${how}.`;
}
