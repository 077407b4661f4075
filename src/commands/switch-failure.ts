import { HostFailure } from '../fleet/failures.js';
import type { CommandContext } from './context.js';

/**
 * What a switch that failed after taking hosts over left, added to its error: each host it had taken over undid the
 * staged release as a failed deploy undoes its own (switched back, the release, its hold, stage record and preview
 * link removed, the `files:` content put back), so the release must be staged again before a switch. It is not
 * handed back to the stage: its activate commands may have run, and a cancelled or lost switch is undone by the
 * hosts themselves, where no hand-back could be decided; one outcome for every way a switch fails.
 */
export function afterFailedSwitch(ctx: CommandContext, name: string, error: unknown): unknown {
  if (!(error instanceof HostFailure)) return error;
  const hosts = ctx.config.hosts.map((h) => h.name);
  const takeOver = (h: string) => ctx.report.hosts.get(h)?.find((r) => r.id === 'take-over')?.status;
  const taken = hosts.filter((h) => takeOver(h) === 'ok');
  if (!taken.length) return error;
  const undone = taken.filter((h) => ctx.report.undone.get(h));
  const unconfirmed = taken.filter((h) => !ctx.report.undone.get(h));
  // A host whose take-over refused (its stage gone, another hold, expired) is not claimed still staged: its error says.
  const refused = hosts.filter((h) => takeOver(h) === 'failed');
  const held = hosts.filter((h) => !taken.includes(h) && !refused.includes(h));
  const parts: string[] = [];
  if (!unconfirmed.length && !held.length && !refused.length)
    parts.push(
      `every host is back on its previous release and the staged release ${name} was discarded on every host, as a failed deploy's release is`,
    );
  else {
    if (undone.length) parts.push(`the staged release ${name} was discarded on ${undone.join(', ')}`);
    if (unconfirmed.length)
      parts.push(`${unconfirmed.join(', ')} did not confirm its undo (the post step finishes it, or run unlock)`);
    if (held.length) parts.push(`it is still staged on ${held.join(', ')} (run discard)`);
    const others = refused.filter((h) => h !== error.host);
    if (others.length) parts.push(`${others.join(', ')} refused the take-over too (see each host's error)`);
  }
  const next = 'fix the cause, then stage again (a re-run of the stage job stages the same name) and switch';
  const message = error.message.replace(`${error.host}: ${error.step}: `, '');
  const failure = new HostFailure(
    error.host,
    error.step,
    `${message}; ${parts.join('; ')}: ${next}`,
    error.tail,
    error.rc,
    error.data,
  );
  failure.cleanedUp = error.cleanedUp;
  return failure;
}
