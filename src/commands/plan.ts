import type { EnvironmentConfig } from '../config/index.js';
import { shipExcluder } from '../artifact/ignore-file.js';
import { walk } from '../artifact/tree.js';
import type { Fleet, Member } from '../fleet/fleet.js';
import type { CommandContext } from './context.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { describeHeldLock } from './host-messages.js';
import { hookPlaces, varsLine } from './hook-targets.js';
import { filesPlan } from '../remote/steps/files.js';
import type { ReleasePhases } from './release-phases.js';
import { type Block, heading, list } from '../report/document.js';
import { count, size } from '../units.js';

/** What a deploy would ship, without running the build hooks (a dry run changes nothing and runs nothing). */
export async function shippedSummary(config: EnvironmentConfig, source: string): Promise<string> {
  const entries = await walk(source, await shipExcluder(config, source));
  const files = entries.filter((e) => e.type === 'file');
  const bytes = files.reduce((n, e) => n + e.size, 0);
  const hooks = config.build.length
    ? ` before the ${count(config.build.length, 'build hook')}, which a dry run does not run`
    : '';
  return `${count(files.length, 'file')}, ${size(bytes)} from ${source}${hooks}`;
}

/** The dry-run plan: for each host, the live release, the lock, the steps that would run and what cleanup removes. */
export function planReport(
  ctx: CommandContext,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  phases: ReleasePhases,
  shipped: string,
): void {
  const blocks: Block[] = [
    heading('Plan (dry run: nothing was changed on any host)'),
    list([`New release: ${phases.name}`, `Ships: ${shipped}`, ...hookPlaces(ctx.config)]),
  ];
  for (const m of fleet.members) {
    const f = facts.get(m)!;
    // Host values (checked by readInspect) are plain text here; each renderer escapes them for its medium.
    const items = [
      `Live release: ${f.live ?? (f.liveTarget || (f.absent ? 'none (nothing deployed here yet)' : 'none'))}`,
      `Lock: ${f.lock ? describeHeldLock(f.lock, ctx.config.environment) : 'free'}`,
      ...varsLine(m.host),
    ];
    try {
      const health = ctx.config.healthcheck
        ? [{ name: 'health', steps: [{ id: 'healthcheck', label: 'healthcheck', body: '' }] }]
        : [];
      const phaseList = [
        phases.stage(m).phase,
        phases.maintenanceOn(m),
        phases.hooks(m),
        phases.switch(m),
        phases.activate(m),
        ...health,
        phases.finish(m),
      ];
      const steps = phaseList.flatMap((p) => (p ? p.steps.map((s) => s.label) : []));
      items.push(`Steps: prepare → lock → inspect → ${steps.join(' → ')}`);
      if (ctx.config.files.length) items.push(`Files: ${filesPlan(ctx.config.files, phases.name).join(', ')}`);
    } catch (error) {
      items.push(`Would fail: ${error instanceof Error ? error.message : String(error)}`);
    }
    const removed = phases.removed(m);
    items.push(`Cleanup would remove: ${removed.length ? removed.join(', ') : 'nothing'}`);
    blocks.push(heading(`${m.host.name} (${m.host.deployPath})`, 2), list(items));
  }
  ctx.report.details.push(...blocks);
}
