import { exec } from '@actions/exec';
import { hookLabel } from '../config/index.js';
import { phaseLine, seconds, type Log } from '../log.js';
import { lineSink } from './output-lines.js';

export interface BuildHook {
  run: string;
  /** The hook's `name:` (its label in the log). */
  name?: string;
}

/** Thrown when a build command fails: nothing has been sent to any host. */
export class BuildError extends Error {
  constructor(
    /** The hook's label (its name, or its command's first line). */
    readonly command: string,
    readonly exitCode: number,
    readonly tail: string[],
  ) {
    super(`build hook "${command}" exited with code ${exitCode}`);
    this.name = 'BuildError';
  }
}

/**
 * Runs the build hooks in order in the build directory, with bash -e and the config's environment: one section of
 * the log (the build phase) holds them all; its line and a failure's line follow it, outside.
 */
export async function runBuildHooks(
  hooks: BuildHook[],
  cwd: string,
  env: Record<string, string>,
  log: Log,
): Promise<void> {
  if (!hooks.length) return;
  const t0 = Date.now();
  let done = 0;
  let failure: BuildError | undefined;
  await log.group('build', async () => {
    for (const [i, hook] of hooks.entries()) {
      const label = hookLabel(hook);
      const tail: string[] = [];
      const keep = (data: Buffer) => {
        tail.push(...data.toString().split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - 40));
      };
      const started = Date.now();
      // On a terminal, no `[command]/usr/bin/bash -e -c …` echo: the output goes through the log, line by line.
      const sinks = log.terminal ? [lineSink((l) => log.output(l)), lineSink((l) => log.output(l))] : [];
      const show = (sink: number) => (data: Buffer) => {
        keep(data);
        sinks[sink]?.write(data);
      };
      log.info(`▶ build ${i + 1}/${hooks.length}: ${label}`);
      const code = await exec('bash', ['-e', '-c', hook.run], {
        cwd,
        env: { ...(process.env as Record<string, string>), ...env },
        ignoreReturnCode: true,
        silent: log.terminal === true,
        listeners: { stdout: show(0), stderr: show(1) },
      }).finally(() => {
        for (const sink of sinks) sink.end();
      });
      const took = seconds(Date.now() - started);
      if (code !== 0) {
        log.info(`✗ build hook "${label}" failed: exit code ${code} (${took})`);
        failure = new BuildError(label, code, tail);
        return;
      }
      log.info(`✓ ${label} (${took})`);
      done++;
    }
  });
  const ms = Date.now() - t0;
  const failed = failure ? `in build hook "${failure.command}"` : undefined;
  log.info(phaseLine('build', { total: hooks.length, ok: done, ms, failed, unit: 'command' }));
  if (failure) {
    log.info(`✗ ${failure.message}`);
    throw failure;
  }
}
