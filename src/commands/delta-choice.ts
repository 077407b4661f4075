import { Readable } from 'node:stream';
import type { Archive, Built } from '../artifact/artifact.js';
import { archiveReader, framed, joinSmall } from '../artifact/follow.js';
import { readStoredManifest, under, type StoredManifest } from '../artifact/manifest.js';
import type { EnvironmentConfig } from '../config/index.js';
import type { Fleet, Member } from '../fleet/fleet.js';
import { releasesToRemove } from '../releases/retention.js';
import type { Step } from '../remote/phase.js';
import type { Payload, PhaseResult } from '../remote/session.js';
import { baseManifest, delta, resetRelease, verify } from '../remote/steps/delta.js';
import { BASE_MANIFEST, LIVE_MANIFEST, manifestOf, type HostFacts } from '../remote/steps/inspect.js';
import { upload } from '../remote/steps/upload.js';
import type { Fill, ReleaseSource } from './release-phases.js';

/**
 * How each host's new release gets the build: a delta from its live release (copied on the host), a delta from an
 * old release cleanup would remove anyway (recycled), or the whole build; and, when a delta does not verify, the
 * whole build after all.
 */
export async function buildSource(
  config: EnvironmentConfig,
  sha: string,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  name: string,
  built: Built,
  warn: (text: string) => void,
): Promise<ReleaseSource> {
  // Hosts that get everything start receiving it now: packing needs only the list of files, not their hashes.
  if ([...facts.values()].some((f) => shipsEverything(config, f))) built.full();
  const fills = await fillsFor(config, sha, warn, built, facts, await recyclable(config, fleet, facts, name));
  // A delta that does not verify is followed by everything; pack it now only if that happened.
  const restaged = new Map<Member, Fill>();
  return {
    event: 'deploy',
    fill: (m) => fills.get(m)!,
    restage: (m) => restaged.get(m)!,
    prepareRestage: async (members) => {
      for (const m of members) {
        const whole = fullFill(config, sha, built, built.full());
        restaged.set(m, { ...whole, steps: [resetRelease(), ...whole.steps] });
      }
    },
    sha: () => sha,
  };
}

/** What a dry run shows: every host as if it got the whole build (the build is not made). */
export function planSource(config: EnvironmentConfig, sha: string): ReleaseSource {
  return {
    event: 'deploy',
    fill: () => ({ steps: [upload({ revision: sha, skip: uncompared(config) })], kind: 'full' }),
    sha: () => sha,
  };
}

/** One payload per archive: hosts that get the same archive share its reader (see archiveReader). */
const payloads = new WeakMap<Archive, Payload>();

/**
 * The bytes a host receives (see receivePayload): the gzipped tar in chunks, sent while it is being made, then the
 * manifest, which may still have been hashing meanwhile. Every host that gets `tar` gets this same payload, so a
 * whole archive is read into memory once for the fleet, not once per host.
 */
function payload(built: Built, tar: Archive): Payload {
  let shared = payloads.get(tar);
  if (!shared) {
    shared = newPayload(built, tar);
    payloads.set(tar, shared);
  }
  return shared;
}

function newPayload(built: Built, tar: Archive): Payload {
  // The size for upload progress: the archive's once it is packed (the framing and the manifest are small beside it).
  let total: number | undefined;
  tar.done.then((a) => (total = a.bytes)).catch(() => undefined);
  const archive = archiveReader(tar.path, tar.done);
  return {
    total: () => total,
    open: () =>
      Readable.from(
        joinSmall(
          (async function* () {
            yield* framed(archive());
            yield* framed([await built.manifestGz()]);
          })(),
        ),
      ),
  };
}

/** The whole build, for a host without a usable live release (or after a delta did not verify). */
function fullFill(config: EnvironmentConfig, sha: string, built: Built, full: Archive): Fill {
  return {
    steps: [upload({ revision: sha, skip: uncompared(config) })],
    payload: payload(built, full),
    kind: 'full',
  };
}

/**
 * The release each host could recycle as its delta base: the oldest one this deploy's cleanup removes anyway (not
 * live, not another run's), with its manifest. Inspect offers the oldest release with its manifest; a host whose
 * offer is not the release retention picks is asked in one short phase. Hosts without one copy their live release.
 */
async function recyclable(
  config: EnvironmentConfig,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  name: string,
): Promise<Map<Member, { name: string; manifest: StoredManifest }>> {
  const candidates = new Map<Member, string>();
  for (const [m, f] of facts) {
    if (shipsEverything(config, f)) continue;
    const gone = releasesToRemove({
      dirs: [...f.dirs, name],
      history: [...f.history, { event: 'deploy', release: name }],
      keep: config.keepReleases,
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
  const needLive = [...facts]
    .filter(([m, f]) => f.liveManifest === 'kept' && !ask.includes(m) && !usable(m))
    .map(([m]) => m);
  if (ask.length || needLive.length) {
    const results = await fleet.run(
      (m) => ({
        name: 'base',
        vars: { DA_BASE: ask.includes(m) ? candidates.get(m)! : '' },
        steps: [baseManifest({ live: facts.get(m)!.liveManifest === 'kept' })],
      }),
      undefined,
      { members: [...ask, ...needLive], parallel: config.maxParallel },
    );
    for (const [m, r] of results) {
      if (ask.includes(m)) manifests.set(m, r.bytes.get(BASE_MANIFEST)?.[0]);
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
  if (f.liveManifest === 'kept') f.liveManifest = manifestOf(r.bytes.get(LIVE_MANIFEST)?.[0]);
}

/** Paths the deploy writes itself after the files arrive (shared links, cleared paths, REVISION): never compared. */
export function uncompared(c: EnvironmentConfig): string[] {
  return [...c.sharedDirs, ...c.sharedFiles, ...c.clearPaths, 'REVISION'];
}

/** Does this host get the whole build (no trusted live release to start from)? */
export function shipsEverything(config: EnvironmentConfig, f: HostFacts): boolean {
  return config.fullUpload || !f.live || !f.liveManifest || f.liveManifest === 'corrupt';
}

/** For each host: only what changed since its live release when that is known and trusted, else everything. */
async function fillsFor(
  config: EnvironmentConfig,
  sha: string,
  warn: (text: string) => void,
  built: Built,
  facts: Map<Member, HostFacts>,
  bases: Map<Member, { name: string; manifest: StoredManifest }>,
): Promise<Map<Member, Fill>> {
  const skipped = uncompared(config);
  const skip = under(skipped);
  const fills = new Map<Member, Fill>();
  for (const [m, f] of facts) {
    if (!shipsEverything(config, f)) continue;
    if (f.liveManifest === 'corrupt')
      warn(`${m.host.name}: the live release's manifest is unreadable; shipping everything`);
    fills.set(m, fullFill(config, sha, built, built.full()));
  }
  for (const [m, f] of facts) {
    if (fills.has(m)) continue;
    const recycle = bases.get(m);
    // recyclable() resolved every manifest inspect kept back; without one to compare with, everything ships.
    const base = recycle?.manifest ?? (typeof f.liveManifest === 'object' ? f.liveManifest : undefined);
    if (!base) {
      fills.set(m, fullFill(config, sha, built, built.full()));
      continue;
    }
    const { delta: d, archive } = await built.deltaFrom(base, skip);
    const removeB64 = Buffer.from(d.remove.map((p) => `${p}\0`).join('')).toString('base64');
    const steps: Step[] = [
      delta({
        skip: skipped,
        removeB64,
        revision: sha,
        files: { sent: d.send.length, unchanged: d.unchanged },
        base: recycle ? 'recycle' : 'copy',
      }),
      verify({ skip: skipped }),
    ];
    fills.set(m, {
      steps,
      payload: payload(built, archive),
      vars: { DA_BASE: recycle?.name ?? f.live! },
      kind: 'delta',
    });
  }
  return fills;
}
