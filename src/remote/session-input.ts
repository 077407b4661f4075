// What the runner sends a running session: frames and payloads on its stdin, and the signal that interrupts it.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { RemoteProcess, Transport } from '../transport/types.js';
import type { Payload, UploadProgress } from './session-types.js';

/** Pieces a payload is written in: what was sent is known to this (and the connection's window) when it is slow. */
const PIECE_BYTES = 256 * 1024;

/** Writes `data` to the session's stdin; waits for it to drain, or for the session to exit. */
export async function send(proc: RemoteProcess, data: Buffer, exited: Promise<unknown>): Promise<void> {
  if (!proc.stdin.write(data)) await drained(proc, exited);
}

/**
 * Streams a phase's payload to the process `target` names, until it names none; then destroys its stream. `report`
 * hears how far it has gone after each piece, and once more when the sending ends.
 */
export async function streamTo(
  payload: Payload,
  target: () => RemoteProcess | undefined,
  exited: Promise<unknown>,
  report?: (progress: UploadProgress) => void,
): Promise<void> {
  const source: Readable = payload.open();
  let sent = 0;
  try {
    for await (const chunk of source) {
      for (let at = 0; at < (chunk as Buffer).length; at += PIECE_BYTES) {
        const proc = target();
        if (!proc) return;
        const piece = (chunk as Buffer).subarray(at, at + PIECE_BYTES);
        if (!proc.stdin.write(piece)) await drained(proc, exited);
        sent += piece.length;
        report?.({ sent, total: payload.total?.(), done: false });
      }
    }
  } finally {
    source.destroy();
    report?.({ sent, total: payload.total?.(), done: true });
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
