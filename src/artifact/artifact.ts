import { count, size as sizeText } from '../units.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { EnvironmentConfig } from '../config/index.js';
import { computeDelta, type Delta } from './delta.js';
import type { Log } from '../log.js';
import { excluder, type ExcludeTest } from './exclude.js';
import { shipExcluder } from './ignore-file.js';
import { runBuildHooks } from './hooks.js';
import { buildManifest, serializeManifest, type ManifestEntry, type StoredManifest } from './manifest.js';
import { pack, type Artifact } from './pack.js';

import { walk } from './tree.js';
import { copySource, scratchDir } from './workspace.js';

/** An archive that may still be being written: read it with followFile(path, done). */
export interface Archive {
  path: string;
  done: Promise<Artifact>;
}

export interface Built {
  files: number;
  /** Uncompressed size of the regular files. */
  size: number;
  /** Everything, for hosts without a usable live release: packing starts on first use (a fleet of deltas never needs it). */
  full(): Archive;
  /** What ships, entry by entry, hashed in the background from the moment the build is walked. */
  manifest(): Promise<ManifestEntry[]>;
  /** The manifest as the host stores it (gzipped). */
  manifestGz(): Promise<Buffer>;
  /** The changes from a base release to this build, packed once per distinct base manifest. */
  deltaFrom(base: StoredManifest, skip: (path: string) => boolean): Promise<{ delta: Delta; archive: Archive }>;
}

/** The build hooks have run (in a temporary copy of the source when there are any); nothing is described yet. */
export interface BuiltTree {
  root: string;
  scratch: { path: string; dispose(): Promise<void> };
  /** What does not ship (`exclude` and `exclude_from`, read from the source before the build). */
  exclude: ExcludeTest;
}

/**
 * The build on the runner: a temporary copy of the source (only when build hooks would change it) and the build
 * hooks in it. The source itself is never modified. A failing hook throws before any host is touched.
 */
export async function runBuild(config: EnvironmentConfig, source: string, log: Log): Promise<BuiltTree> {
  const exclude = await shipExcluder(config, source);
  const scratch = await scratchDir('deploy-action-');
  try {
    let root = source;
    if (config.build.length > 0) {
      root = join(scratch.path, 'build');
      // The build sees the whole source (but .git); `exclude` decides what ships, after the build.
      await copySource(source, root, excluder([]));
      await runBuildHooks(config.build, root, config.env, log);
    }
    return { root, scratch, exclude };
  } catch (error) {
    await scratch.dispose();
    throw error;
  }
}

/**
 * What ships (everything but `exclude` and `exclude_from`), known once the build is walked: the whole build can be packed from then
 * on, and the manifest is hashed while the hosts are reached, for what needs it (deltas, the end of every upload).
 */
export async function describeBuild(tree: BuiltTree, log: Log): Promise<Built> {
  const { root, scratch } = tree;
  const entries = await walk(root, tree.exclude);
  const files = entries.filter((e) => e.type === 'file');
  const size = files.reduce((n, e) => n + e.size, 0);
  log.info(`built ${count(files.length, 'file')} (${sizeText(size)})`);
  const manifest = buildManifest(root, entries);
  // Compressed on the thread pool: the event loop is serving the hosts' handshakes meanwhile.
  const manifestGz = manifest.then((m) => promisify(gzip)(serializeManifest(m)));
  manifestGz.catch(() => undefined);
  let full: Archive | undefined;
  const deltas = new Map<string, { delta: Delta; archive: Archive }>();
  const start = (paths: string[], name: string): Archive => {
    const path = join(scratch.path, name);
    const done = pack(root, paths, path);
    done.catch(() => undefined);
    return { path, done };
  };
  return {
    files: files.length,
    size,
    full: () => {
      if (!full) {
        full = start(
          entries.map((e) => e.path),
          'release.tar.gz',
        );
        void full.done.then(
          (a) => log.info(`packed everything: ${sizeText(a.bytes)} compressed`),
          () => undefined,
        );
      }
      return full;
    },
    manifest: () => manifest,
    manifestGz: () => manifestGz,
    async deltaFrom(base, skip) {
      // Hosts with the same base share one archive.
      let made = deltas.get(base.key);
      if (!made) {
        const delta = computeDelta(base.entries, await manifest, skip);
        made = deltas.get(base.key) ?? {
          delta,
          archive: start(
            delta.send.map((e) => e.path),
            `delta-${deltas.size}.tar.gz`,
          ),
        };
        deltas.set(base.key, made);
      }
      return made;
    },
  };
}
