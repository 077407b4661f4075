import { spawn } from 'node:child_process';
import type { Completed, ExitStatus, RemoteProcess, Transport } from './types.js';
import { collect } from './collect.js';

/** The `local` host: the same scripts, run by bash on this machine. */
export class LocalTransport implements Transport {
  readonly name = 'local';

  async start(command: string): Promise<RemoteProcess> {
    // A process group of its own, like an SSH session, so a signal to the group reaches every step and hook.
    const child = spawn('bash', ['--noprofile', '--norc', '-c', command], { stdio: 'pipe', detached: true });
    const exited = new Promise<ExitStatus>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: 127, signal: null }));
    });
    child.stdin.on('error', () => undefined);
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      // Like a dropped SSH channel: the pipes close, the session sees EOF and cleans up after itself.
      destroy: () => {
        child.stdin.destroy();
        child.stdout.destroy();
        child.stderr.destroy();
      },
    };
  }

  async run(command: string): Promise<Completed> {
    return collect(await this.start(command));
  }

  async close(): Promise<void> {}
}
