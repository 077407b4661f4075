import { join } from 'node:path';
import type { EnvironmentConfig } from '../config/index.js';
import type { Log } from '../report/log.js';
import { excluder } from './exclude.js';
import { runBuildHooks } from './hooks.js';
import { pack, type Artifact } from './pack.js';
import { walk } from './tree.js';
import { copySource, scratchDir } from './workspace.js';

export interface Built {
  artifact: Artifact;
  dispose(): Promise<void>;
}

/**
 * The build on the runner: a temporary copy of the source (only when build hooks would change it), the build
 * hooks in it, then one archive of what ships (everything but `exclude`). The source itself is never modified.
 */
export async function buildArtifact(config: EnvironmentConfig, source: string, log: Log): Promise<Built> {
  const scratch = await scratchDir('deploy-action-');
  try {
    const exclude = excluder(config.exclude);
    let root = source;
    if (config.build.length > 0) {
      root = join(scratch.path, 'build');
      // The build sees the whole source (but .git); `exclude` decides what ships, after the build.
      await copySource(source, root, excluder([]));
      await runBuildHooks(config.build, root, config.env, log);
    }
    const entries = await walk(root, exclude);
    const artifact = await pack(root, entries, scratch.path);
    log.info(`packed ${artifact.files} files (${mib(artifact.size)} MiB, ${mib(artifact.bytes)} MiB compressed)`);
    return { artifact, dispose: scratch.dispose };
  } catch (error) {
    await scratch.dispose();
    throw error;
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(2);
}
