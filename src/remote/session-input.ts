// What the runner sends a running session: frames and payloads on its stdin, and the signal that interrupts it.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { RemoteProcess, Transport } from '../transport/types.js';

/** Writes `data` to the session's stdin; waits for it to drain, or for the session to exit. */
export async function send(proc: RemoteProcess, data: Buffer, exited: Promise<unknown>): Promise<void> {
  if (!proc.stdin.write(data)) await drained(proc, exited);
}

/** Streams `source` (a phase's payload) to the process `target` names, until it names none; then destroys it. */
export async function streamTo(
  source: Readable,
  target: () => RemoteProcess | undefined,
  exited: Promise<unknown>,
): Promise<void> {
  try {
    for await (const chunk of source) {
      const proc = target();
      if (!proc) break;
      if (!proc.stdin.write(chunk as Buffer)) await drained(proc, exited);
    }
  } finally {
    source.destroy();
  }
}

async function drained(proc: RemoteProcess, exited: Promise<unknown>): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([once(proc.stdin, 'drain', { signal: ac.signal }), exited]);
  } finally {
    ac.abort();
  }
}

/**
 * SIGTERM to the session's process group on the host (pid `pid`, group `pgid`), whose trap undoes the run's work and
 * exits. The signal travels on `side` (a fresh connection) when given, so it does not queue behind upload data
 * still buffered on the session's own connection.
 */
export async function terminate(
  transport: Transport,
  pid: number,
  pgid: number,
  side?: () => Promise<Transport>,
): Promise<void> {
  // The whole session (pkill -s): commands under `timeout` live in process groups of their own.
  const command = `pkill -TERM -s ${pgid} 2>/dev/null; kill -TERM -- -${pgid} 2>/dev/null || kill -TERM ${pid}`;
  const via = side ? await side().catch(() => transport) : transport;
  try {
    await via.run(command);
  } finally {
    if (via !== transport) await via.close();
  }
}
