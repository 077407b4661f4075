import type { Member } from '../fleet/fleet.js';
import type { PhaseResult } from '../remote/session.js';
import { hookOutputs, OUTPUT_HOST_MAX } from '../remote/steps/hook-output.js';
import { stepTitle } from '../remote/steps/hooks.js';
import { warn, type CommandContext } from './context.js';

/**
 * Keeps in the report what each host's hooks wrote to `$DEPLOY_OUTPUT` in these results (a hooks or an activate
 * phase), and warns of each problem, naming the host, the hook and the line. A host keeps at most OUTPUT_HOST_MAX
 * bytes of names and values: a value past that is left out, with a warning.
 */
export function recordHookOutputs(
  ctx: Pick<CommandContext, 'log' | 'report'>,
  results: ReadonlyMap<Member, PhaseResult>,
): void {
  for (const [m, result] of results) {
    const outputs = hookOutputs(result);
    if (!outputs.length) continue;
    let host = ctx.report.hookOutputs.get(m.host.name);
    if (!host) {
      host = { masked: m.host.masked === true, values: new Map() };
      ctx.report.hookOutputs.set(m.host.name, host);
    }
    let size = 0;
    for (const [name, value] of host.values) size += entrySize(name, value);
    for (const out of outputs) {
      const where = `${m.host.name}: ${stepTitle(out.step)}: $DEPLOY_OUTPUT`;
      for (const p of out.problems) warn(ctx, `${where}${p.line ? ` line ${p.line}` : ''}: ${p.text}`);
      const left: string[] = [];
      let from = 0;
      for (const pair of out.pairs) {
        const old = host.values.get(pair.name);
        const after = size - (old === undefined ? 0 : entrySize(pair.name, old)) + entrySize(pair.name, pair.value);
        if (after > OUTPUT_HOST_MAX) {
          if (!left.length) from = pair.line;
          left.push(pair.name);
          continue;
        }
        host.values.set(pair.name, pair.value);
        size = after;
      }
      if (left.length) {
        const names = left.length > 3 ? `${left.slice(0, 3).join(', ')} and ${left.length - 3} more` : left.join(', ');
        warn(
          ctx,
          `${where} line ${from}: ${names} left out: this host's outputs would pass ${OUTPUT_HOST_MAX / 1024} KiB in all`,
        );
      }
    }
  }
}

const entrySize = (name: string, value: string) => Buffer.byteLength(name) + Buffer.byteLength(value);
