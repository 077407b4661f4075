import type { Completed, RemoteProcess } from './types.js';

/** Closes stdin and waits for the process, collecting its output: for short side commands. */
export async function collect(proc: RemoteProcess): Promise<Completed> {
  proc.stdin.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (d: Buffer) => out.push(d));
  proc.stderr.on('data', (d: Buffer) => err.push(d));
  const { code } = await proc.exited;
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
