import { exec } from '@actions/exec';
import type { Log } from '../log.js';
import { lineSink } from './output-lines.js';

export interface BuildHook {
  run: string;
}

/** Thrown when a build command fails: nothing has been sent to any host. */
export class BuildError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly tail: string[],
  ) {
    super(`build command failed with exit code ${exitCode}: ${command}`);
    this.name = 'BuildError';
  }
}

/** Runs the build hooks in order in the build directory, with bash -e and the config's environment. */
export async function runBuildHooks(
  hooks: BuildHook[],
  cwd: string,
  env: Record<string, string>,
  log: Log,
): Promise<void> {
  for (const [i, hook] of hooks.entries()) {
    const tail: string[] = [];
    const keep = (data: Buffer) => {
      tail.push(...data.toString().split('\n').filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - 40));
    };
    // On a terminal, no `[command]/usr/bin/bash -e -c …` echo: the output goes through the log, line by line.
    const sinks = log.terminal ? [lineSink((l) => log.output(l)), lineSink((l) => log.output(l))] : [];
    const show = (sink: number) => (data: Buffer) => {
      keep(data);
      sinks[sink]?.write(data);
    };
    const code = await log.group(`build ${i + 1}/${hooks.length}: ${hook.run}`, () =>
      exec('bash', ['-e', '-c', hook.run], {
        cwd,
        env: { ...(process.env as Record<string, string>), ...env },
        ignoreReturnCode: true,
        silent: log.terminal === true,
        listeners: { stdout: show(0), stderr: show(1) },
      }).finally(() => {
        for (const sink of sinks) sink.end();
      }),
    );
    if (code !== 0) throw new BuildError(hook.run, code, tail);
  }
}
