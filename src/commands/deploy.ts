import { Readable } from 'node:stream';
import { describeBuild, runBuild, type Archive, type Built } from '../artifact/artifact.js';
import { followFile, framed } from '../artifact/follow.js';
import { readStoredManifest, under, type StoredManifest } from '../artifact/manifest.js';
import { loadTransports, reachEarly } from '../fleet/connect.js';
import type { Fleet } from '../fleet/fleet.js';
import { releasesToRemove } from '../releases/retention.js';
import type { Member } from '../fleet/fleet.js';
import type { Step } from '../remote/phase.js';
import type { Payload, PhaseResult } from '../remote/session.js';
import { baseManifest, delta, resetRelease, verify } from '../remote/steps/delta.js';
import { upload } from '../remote/steps/upload.js';
import { warn, type CommandContext } from './context.js';
import { manifestOf, type HostFacts } from './facts.js';
import { inspectFleet, withFleet } from './fleet-run.js';
import { planReport, shippedSummary } from './plan.js';
import { chooseName, releasePhases, shipRelease, type Fill, type ReleaseSource } from './ship.js';

/**
 * The bytes a host receives (see receivePayload): the gzipped tar in chunks, sent while it is being made, then the
 * manifest, which may still have been hashing meanwhile.
 */
function payload(built: Built, tar: Archive): Payload {
  return {
    open: () =>
      Readable.from(
        (async function* () {
          yield* framed(followFile(tar.path, tar.done));
          yield* framed([await built.manifestGz()]);
        })(),
      ),
  };
}

/** The whole build, for a host without a usable live release (or after a delta did not verify). */
function fullFill(ctx: CommandContext, built: Built, full: Archive): Fill {
  return {
    steps: [upload({ revision: ctx.run.sha, skip: uncompared(ctx) })],
    payload: payload(built, full),
    kind: 'full',
  };
}

/**
 * The release each host could recycle as its delta base: the oldest one this deploy's cleanup removes anyway (not
 * live, not another run's), with its manifest. Inspect offers the oldest release with its manifest; a host whose
 * offer is not the release retention picks is asked in one short phase. Hosts without one copy their live release.
 */
async function recyclable(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>, name: string): Promise<Map<Member, { name: string; manifest: StoredManifest }>> {
  const candidates = new Map<Member, string>();
  for (const [m, f] of facts) {
    if (shipsEverything(ctx, f)) continue;
    const gone = releasesToRemove({
      dirs: [...f.dirs, name],
      history: [...f.history, { event: 'deploy', release: name }],
      keep: ctx.config.keepReleases,
      live: name,
    }).filter((d) => d !== f.live && d !== name && !f.partial.has(d));
    if (gone[0]) candidates.set(m, gone[0]);
  }
  const manifests = new Map<Member, Buffer | undefined>();
  const ask = [...candidates.keys()].filter((m) => facts.get(m)!.baseOffer?.name !== candidates.get(m));
  for (const m of candidates.keys()) if (!ask.includes(m)) manifests.set(m, facts.get(m)!.baseOffer!.manifestGz);
  // Where inspect kept the live manifest back, a host that will copy its live release needs it: one with no base to
  // recycle, or whose offered base's manifest is unreadable. A host asked for another base gets it too (that base
  // may turn out unusable). One short phase for all of them.
  const usable = (m: Member) => !!manifests.get(m) && !!readStoredManifest(manifests.get(m)!);
  const needLive = [...facts].filter(([m, f]) => f.liveManifest === 'kept' && !ask.includes(m) && !usable(m)).map(([m]) => m);
  if (ask.length || needLive.length) {
    const results = await fleet.run(
      (m) => ({
        name: 'base',
        vars: { DA_BASE: ask.includes(m) ? candidates.get(m)! : '' },
        steps: [baseManifest({ live: facts.get(m)!.liveManifest === 'kept' })],
      }),
      undefined,
      { members: [...ask, ...needLive], parallel: ctx.config.maxParallel },
    );
    for (const [m, r] of results) {
      if (ask.includes(m)) manifests.set(m, r.bytes.get('base-manifest')?.[0]);
      fetchedLiveManifest(facts.get(m)!, r);
    }
  }
  const out = new Map<Member, { name: string; manifest: StoredManifest }>();
  for (const [m, gz] of manifests) {
    // An unreadable manifest: this host copies its live release instead.
    const manifest = gz && readStoredManifest(gz);
    if (manifest) out.set(m, { name: candidates.get(m)!, manifest });
  }
  return out;
}

/** Records the live manifest a `base` phase sent for a host whose inspect kept it back (absent now: ship everything). */
function fetchedLiveManifest(f: HostFacts, r: PhaseResult): void {
  if (f.liveManifest === 'kept') f.liveManifest = manifestOf(r.bytes.get('live-manifest')?.[0]);
}

/** Paths the deploy writes itself after the files arrive (shared links, cleared paths, REVISION): never compared. */
function uncompared(ctx: CommandContext): string[] {
  const c = ctx.config;
  return [...c.sharedDirs, ...c.sharedFiles, ...c.clearPaths, 'REVISION'];
}

/** Does this host get the whole build (no trusted live release to start from)? */
function shipsEverything(ctx: CommandContext, f: HostFacts): boolean {
  return ctx.config.fullUpload || !f.live || !f.liveManifest || f.liveManifest === 'corrupt';
}

/** For each host: only what changed since its live release when that is known and trusted, else everything. */
async function fillsFor(
  ctx: CommandContext,
  built: Built,
  facts: Map<Member, HostFacts>,
  bases: Map<Member, { name: string; manifest: StoredManifest }>,
): Promise<Map<Member, Fill>> {
  const skipped = uncompared(ctx);
  const skip = under(skipped);
  const fills = new Map<Member, Fill>();
  for (const [m, f] of facts) {
    if (!shipsEverything(ctx, f)) continue;
    if (f.liveManifest === 'corrupt') warn(ctx, `${m.host.name}: the live release's manifest is unreadable; shipping everything`);
    fills.set(m, fullFill(ctx, built, built.full()));
  }
  for (const [m, f] of facts) {
    if (fills.has(m)) continue;
    const recycle = bases.get(m);
    // recyclable() resolved every manifest inspect kept back; without one to compare with, everything ships.
    const base = recycle?.manifest ?? (typeof f.liveManifest === 'object' ? f.liveManifest : undefined);
    if (!base) {
      fills.set(m, fullFill(ctx, built, built.full()));
      continue;
    }
    const { delta: d, archive } = await built.deltaFrom(base, skip);
    const removeB64 = Buffer.from(d.remove.map((p) => `${p}\0`).join('')).toString('base64');
    const steps: Step[] = [
      delta({
        skip: skipped,
        removeB64,
        revision: ctx.run.sha,
        files: { sent: d.send.length, unchanged: d.unchanged },
        base: recycle ? 'recycle' : 'copy',
      }),
      verify({ skip: skipped }),
    ];
    fills.set(m, { steps, payload: payload(built, archive), vars: { DA_BASE: recycle?.name ?? f.live! }, kind: 'delta' });
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
        fill: () => ({ steps: [upload({ revision: run.sha, skip: uncompared(ctx) })], kind: 'full' }),
        sha: () => run.sha,
      };
      planReport(ctx, fleet, facts, releasePhases(ctx, facts, name, source), shipped);
    });
    return;
  }
  const tree = await report.time('build', 'build', () => runBuild(config, ctx.source, ctx.log));
  // Once the build hooks have passed, describing the build (walking, hashing) overlaps with reaching the hosts. It
  // starts once SSH is loaded: its walk would otherwise hold back the first connection. The TCP connections open
  // meanwhile.
  reachEarly(config.hosts, config.maxParallel);
  await loadTransports(config.hosts);
  const describing = report.time('describe', 'manifest', () => describeBuild(config, tree, ctx.log));
  describing.catch(() => undefined);
  // With full_upload every host gets everything: packing starts before the hosts are even reached.
  if (config.fullUpload) void describing.then((built) => built.full(), () => undefined);
  try {
    ctx.signal.throwIfAborted();
    await withFleet(ctx, async (fleet) => {
      const offer = config.fullUpload ? {} : { offerBaseFrom: config.keepReleases };
      const [facts, built] = await Promise.all([inspectFleet(ctx, fleet, offer), describing]);
      const name = chooseName(ctx, facts);
      const first = fleet.members[0]!;
      report.release = name;
      report.previous = facts.get(first)!.live;
      report.releasePath = `${first.host.deployPath}/releases/${name}`;
      await ctx.observer?.started({ release: name, previous: report.previous, sha: run.sha });
      // Hosts that get everything start receiving it now: packing needs only the list of files, not their hashes.
      if ([...facts.values()].some((f) => shipsEverything(ctx, f))) built.full();
      const fills = await fillsFor(ctx, built, facts, await recyclable(ctx, fleet, facts, name));
      // A delta that does not verify is followed by everything; pack it now only if that happened.
      const restage = async (m: Member) => {
        const whole = fullFill(ctx, built, built.full());
        return { ...whole, steps: [resetRelease(), ...whole.steps] };
      };
      const restaged = new Map<Member, Fill>();
      const source: ReleaseSource = {
        event: 'deploy',
        fill: (m) => fills.get(m)!,
        restage: (m) => restaged.get(m)!,
        prepareRestage: async (members) => {
          for (const m of members) restaged.set(m, await restage(m));
        },
        sha: () => run.sha,
      };
      await shipRelease(ctx, fleet, facts, releasePhases(ctx, facts, name, source));
    });
  } finally {
    await tree.scratch.dispose();
  }
}
