import type { EnvironmentConfig } from '../config/index.js';
import { excluder } from '../artifact/exclude.js';
import { walk } from '../artifact/tree.js';
import type { Fleet, Member } from '../fleet/fleet.js';
import type { CommandContext } from './context.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { describeHeldLock } from './host-messages.js';
import type { ReleasePhases } from './release-phases.js';
import { md } from '../report/summary.js';

/** What a deploy would ship, without running the build hooks (a dry run changes nothing and runs nothing). */
export async function shippedSummary(config: EnvironmentConfig, source: string): Promise<string> {
  const entries = await walk(source, excluder(config.exclude));
  const files = entries.filter((e) => e.type === 'file');
  const mib = (files.reduce((n, e) => n + e.size, 0) / 1048576).toFixed(2);
  const hooks = config.build.length
    ? ` before the ${config.build.length} build hook(s), which a dry run does not run`
    : '';
  return `${files.length} files, ${mib} MiB from ${source}${hooks}`;
}

/** The dry-run plan: for each host, the live release, the lock, the steps that would run and what cleanup removes. */
export function planReport(
  ctx: CommandContext,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  phases: ReleasePhases,
  shipped: string,
): void {
  const lines = [
    '### Plan (dry run: nothing was changed on any host)',
    '',
    `- New release: ${phases.name}`,
    `- Ships: ${shipped}`,
  ];
  for (const m of fleet.members) {
    const f = facts.get(m)!;
    lines.push('', `#### ${m.host.name} (${m.host.deployPath})`, '');
    // Host values (checked by readInspect) are escaped all the same: the plan is Markdown in the summary.
    lines.push(
      `- Live release: ${md(f.live ?? (f.liveTarget || (f.absent ? 'none (nothing deployed here yet)' : 'none')))}`,
    );
    lines.push(`- Lock: ${f.lock ? md(describeHeldLock(f.lock, ctx.config.environment)) : 'free'}`);
    try {
      const health = ctx.config.healthcheck
        ? [{ name: 'health', steps: [{ id: 'healthcheck', label: 'healthcheck', body: '' }] }]
        : [];
      const phaseList = [
        phases.stage(m).phase,
        phases.hooks(m),
        phases.switch(m),
        phases.activate(m),
        ...health,
        phases.finish(m),
      ];
      const steps = phaseList.flatMap((p) => (p ? p.steps.map((s) => s.label) : []));
      lines.push(`- Steps: prepare → lock → inspect → ${steps.join(' → ')}`);
    } catch (error) {
      lines.push(`- Would fail: ${md(error instanceof Error ? error.message : String(error))}`);
    }
    const removed = phases.removed(m);
    lines.push(`- Cleanup would remove: ${removed.length ? removed.join(', ') : 'nothing'}`);
  }
  lines.push('');
  ctx.report.details.push(...lines);
  ctx.report.changes.push('dry run: nothing was changed on any host');
  for (const line of lines) if (line) ctx.log.info(line.replace(/^#+ /, ''));
}
