import { latestLives, unusable } from '../releases/history.js';
import { type Block, heading, type Inline, paragraph, table, warning } from '../report/document.js';
import { oldestFirst } from '../releases/order.js';
import { rollbackCandidates } from '../releases/rollback.js';
import { warn, type CommandContext } from './context.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { inspect, withFleet } from './fleet-run.js';

export interface ReleaseRow {
  name: string;
  created: string;
  commit: string;
  actor: string;
  status: 'live' | 'previous' | 'bad' | 'failed' | 'partial' | '';
}

/** One host's releases, newest first, with the status a user needs to choose a rollback target. */
export function releaseRows(f: HostFacts): ReleaseRow[] {
  const { failed, bad } = unusable(f.history);
  const lives = latestLives(f.history);
  const previous = rollbackCandidates({
    host: '',
    dirs: f.dirs,
    history: f.history,
    live: f.live,
    partial: f.partial,
  })[0];
  return oldestFirst(f.dirs, f.history)
    .reverse()
    .map((name) => {
      const first = lives.find((h) => h.release === name && h.event !== 'revert');
      const dir = f.releases.find((r) => r.name === name);
      const status: ReleaseRow['status'] =
        name === f.live
          ? 'live'
          : f.partial.has(name)
            ? 'partial'
            : failed.has(name)
              ? 'failed'
              : bad.has(name)
                ? 'bad'
                : name === previous
                  ? 'previous'
                  : '';
      return {
        name,
        created: first?.at ? String(first.at) : dir?.mtime ? new Date(dir.mtime * 1000).toISOString() : '',
        commit: String(first?.sha || dir?.revision || ''),
        actor: String(first?.actor ?? ''),
        status,
      };
    });
}

/** releases: lists each host's releases in the job summary; hosts that disagree are flagged. */
export async function releases(ctx: CommandContext): Promise<void> {
  await withFleet(ctx, async (fleet) => {
    const facts = await inspect(ctx, fleet);
    const out: Block[] = [heading('Releases')];
    const lives = new Set(fleet.members.map((m) => facts.get(m)!.live ?? '(none)'));
    const sets = new Set(fleet.members.map((m) => facts.get(m)!.dirs.slice().sort().join(',')));
    if (fleet.members.length > 1 && (lives.size > 1 || sets.size > 1)) {
      const what =
        lives.size > 1
          ? `different live releases (${fleet.members.map((m) => `${m.host.name}: ${facts.get(m)!.live ?? 'none'}`).join(', ')})`
          : 'different sets of releases';
      out.push(warning(`The hosts disagree: ${what}.`));
      warn(ctx, `the hosts disagree: ${what}`);
    }
    for (const m of fleet.members) {
      const f = facts.get(m)!;
      out.push(heading(m.host.name, 2));
      const rows = releaseRows(f);
      if (!rows.length) {
        out.push(paragraph(f.absent ? 'Nothing deployed yet.' : 'No releases.'));
        continue;
      }
      // Host text (checked by readInspect) stays plain here; each renderer escapes it for its medium.
      const cells = (r: (typeof rows)[number]): Inline[] => [
        r.status === 'live' ? { strong: r.name } : r.name,
        r.created,
        r.commit.slice(0, 12),
        r.actor,
        r.status === 'live' ? '🟢 live' : r.status,
      ];
      out.push(table(['Release', 'Created', 'Commit', 'Actor', 'Status'], rows.map(cells)));
    }
    const first = facts.get(fleet.members[0]!)!;
    ctx.report.release = first.live;
    ctx.report.previous = releaseRows(first).find((r) => r.status === 'previous')?.name;
    ctx.report.releasePath = first.live ? `${fleet.members[0]!.host.deployPath}/releases/${first.live}` : undefined;
    ctx.report.url = ctx.config.url;
    ctx.report.details.push(...out);
  });
}
