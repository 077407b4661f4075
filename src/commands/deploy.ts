import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { buildArtifact, type Built } from '../build/artifact.js';
import { under, verificationDigest } from '../build/manifest.js';
import type { Member } from '../fleet/fleet.js';
import type { Step } from '../remote/phase.js';
import type { Payload } from '../remote/session.js';
import { delta, resetRelease, verify } from '../remote/steps/delta.js';
import { upload } from '../remote/steps/upload.js';
import { warn, type CommandContext } from './context.js';
import type { HostFacts } from './facts.js';
import { inspectFleet, withFleet } from './fleet-run.js';
import { planReport, shippedSummary } from './plan.js';
import { chooseName, releasePhases, shipRelease, type Fill, type ReleaseSource } from './ship.js';

/** The bytes a host receives: the manifest, then a gzipped tar. */
function payload(built: Built, tar: { path: string; bytes: number }): Payload {
  return {
    bytes: built.manifestGz.length + tar.bytes,
    open: () =>
      Readable.from(
        (async function* () {
          yield built.manifestGz;
          yield* createReadStream(tar.path);
        })(),
      ),
  };
}

/** The whole build, for a host without a usable live release (or after a delta did not verify). */
function fullFill(ctx: CommandContext, built: Built): Fill {
  return {
    steps: [upload({ manifestBytes: built.manifestGz.length, tarBytes: built.full.bytes, revision: ctx.run.sha })],
    payload: payload(built, built.full),
    kind: 'full',
  };
}

/** For each host: only what changed since its live release when that is known and trusted, else everything. */
async function fillsFor(ctx: CommandContext, built: Built, facts: Map<Member, HostFacts>): Promise<Map<Member, Fill>> {
  const c = ctx.config;
  // Paths the deploy writes itself after the files arrive (shared links, cleared paths, REVISION): never compared.
  const skipped = [...c.sharedDirs, ...c.sharedFiles, ...c.clearPaths, 'REVISION'];
  const skip = under(skipped);
  const fills = new Map<Member, Fill>();
  for (const [m, f] of facts) {
    const live = f.liveManifest;
    if (c.fullUpload || !f.live || !live || live === 'corrupt') {
      if (live === 'corrupt') warn(ctx, `${m.host.name}: the live release's manifest is unreadable; shipping everything`);
      fills.set(m, fullFill(ctx, built));
      continue;
    }
    const { delta: d, artifact } = await built.deltaFrom(live, skip);
    const removeB64 = Buffer.from(d.remove.map((p) => `${p}\0`).join('')).toString('base64');
    const steps: Step[] = [
      delta({
        skip: skipped,
        removeB64,
        manifestBytes: built.manifestGz.length,
        tarBytes: artifact.bytes,
        revision: ctx.run.sha,
        files: { sent: d.send.length, unchanged: d.unchanged },
      }),
      verify({ skip: skipped, digest: verificationDigest(built.manifest, skip) }),
    ];
    fills.set(m, { steps, payload: payload(built, artifact), vars: { DA_LIVE: f.live }, kind: 'delta' });
  }
  return fills;
}

/** deploy: build on the runner, stage every host, run the deploy hooks, then switch every host together. */
export async function deploy(ctx: CommandContext): Promise<void> {
  const { config, run, report } = ctx;
  report.sha = run.sha;
  report.url = config.url;
  if (ctx.dryRun) {
    const shipped = await shippedSummary(config, ctx.source);
    await withFleet(ctx, async (fleet) => {
      const facts = await inspectFleet(ctx, fleet, { readOnly: true });
      const name = chooseName(ctx, facts);
      const source: ReleaseSource = {
        event: 'deploy',
        fill: () => ({ steps: [upload({ manifestBytes: 0, tarBytes: 0, revision: run.sha })], kind: 'full' }),
        sha: () => run.sha,
      };
      planReport(ctx, fleet, facts, releasePhases(ctx, facts, name, source), shipped);
    });
    return;
  }
  const built = await report.time('build', 'build and pack', () => buildArtifact(config, ctx.source, ctx.log));
  try {
    ctx.signal.throwIfAborted();
    await withFleet(ctx, async (fleet) => {
      const facts = await inspectFleet(ctx, fleet);
      const name = chooseName(ctx, facts);
      const first = fleet.members[0]!;
      report.release = name;
      report.previous = facts.get(first)!.live;
      report.releasePath = `${first.host.deployPath}/releases/${name}`;
      await ctx.observer?.started({ release: name, previous: report.previous, sha: run.sha });
      const fills = await fillsFor(ctx, built, facts);
      const source: ReleaseSource = {
        event: 'deploy',
        fill: (m) => fills.get(m)!,
        restage: () => ({ ...fullFill(ctx, built), steps: [resetRelease(), ...fullFill(ctx, built).steps] }),
        sha: () => run.sha,
      };
      await shipRelease(ctx, fleet, facts, releasePhases(ctx, facts, name, source));
    });
  } finally {
    await built.dispose();
  }
}
