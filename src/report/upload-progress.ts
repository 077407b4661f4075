import type { HostConfig } from '../config/index.js';
import type { FleetListener } from '../fleet/fleet.js';
import type { UploadProgress } from '../remote/session.js';
import type { Log } from '../log.js';
import { elapsed } from './heartbeat.js';

/** At most one upload progress line per host this often in a log (the Actions log, a CLI that is not a terminal). */
export const UPLOAD_PROGRESS_MS = 5000;
/** How often a terminal's live line is redrawn. */
export const LIVE_LINE_MS = 500;

/**
 * The interval of upload progress lines: UPLOAD_PROGRESS_MS, or DEPLOY_UPLOAD_PROGRESS_MS (milliseconds, at least 50)
 * where a test needs a shorter one. Read here only.
 */
export function uploadProgressMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env['DEPLOY_UPLOAD_PROGRESS_MS']);
  return Number.isFinite(ms) && ms >= 50 ? ms : UPLOAD_PROGRESS_MS;
}

/** A size for a progress line: `512 KiB`, `12.0 MiB`, `1.25 GiB`. */
export function bytesText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** `upload: 12.0 MiB of 25.3 MiB (47%), 1.0 MiB/s`; without a known size, `upload: 12.0 MiB sent, 1.0 MiB/s`. */
export function uploadLine(sent: number, total: number | undefined, bytesPerSecond: number): string {
  const rate = `${bytesText(bytesPerSecond)}/s`;
  if (total === undefined || total <= 0) return `upload: ${bytesText(sent)} sent, ${rate}`;
  const shown = Math.min(sent, total);
  return `upload: ${bytesText(shown)} of ${bytesText(total)} (${Math.floor((shown / total) * 100)}%), ${rate}`;
}

interface Meter {
  started: number;
  sent: number;
  total?: number;
  /** When the last line went out and how much had been sent then (the rate is over the time between lines). */
  lineAt: number;
  lineSent: number;
  shown: boolean;
  timer: NodeJS.Timeout;
}

/**
 * Each host's upload, reported while it goes: in a log, a line at most every `everyMs` while bytes move (an upload
 * done within the first interval shows none; a stalled one shows none either: the heartbeat speaks for it), and a
 * last line with the average rate when lines were shown. On a terminal (`Log.live`), one live line per host,
 * redrawn every LIVE_LINE_MS and ended when the upload ends.
 */
export class UploadMeters {
  private readonly meters = new Map<string, Meter>();
  private readonly everyMs: number;

  constructor(
    private readonly log: Log,
    private readonly prefix: (host: HostConfig) => string,
    everyMs = uploadProgressMs(),
  ) {
    this.everyMs = log.live ? LIVE_LINE_MS : everyMs;
  }

  update(host: HostConfig, p: UploadProgress): void {
    let m = this.meters.get(host.name);
    if (!m) {
      if (p.done) return;
      const now = Date.now();
      const timer = setInterval(() => this.tick(host), this.everyMs);
      timer.unref();
      m = { started: now, sent: 0, lineAt: now, lineSent: 0, shown: false, timer };
      this.meters.set(host.name, m);
    }
    m.sent = p.sent;
    m.total = p.total ?? m.total;
    if (!p.done) return;
    clearInterval(m.timer);
    this.meters.delete(host.name);
    if (this.log.live) {
      if (m.shown) this.log.live(host.name, undefined);
      return;
    }
    const complete = m.total === undefined || m.sent >= m.total;
    if (m.shown && complete) {
      const ms = Math.max(1, Date.now() - m.started);
      this.say(host, `upload: ${bytesText(m.sent)} sent in ${elapsed(ms)}, ${bytesText((m.sent * 1000) / ms)}/s`);
    }
  }

  private tick(host: HostConfig): void {
    const m = this.meters.get(host.name);
    if (!m || m.sent === m.lineSent) return;
    const now = Date.now();
    const rate = ((m.sent - m.lineSent) * 1000) / Math.max(1, now - m.lineAt);
    m.lineAt = now;
    m.lineSent = m.sent;
    m.shown = true;
    const line = uploadLine(m.sent, m.total, rate);
    if (this.log.live) this.log.live(host.name, `${this.prefix(host)}${line}`);
    else this.say(host, line);
  }

  private say(host: HostConfig, text: string): void {
    this.log.info(`${this.prefix(host)}  ${text}`);
  }
}

/** `inner` with each host's upload reported as it goes (see UploadMeters). */
export function withUploadProgress(
  inner: FleetListener,
  log: Log,
  prefix: (host: HostConfig) => string,
  meters = new UploadMeters(log, prefix),
): FleetListener {
  return {
    ...inner,
    upload(host, progress) {
      meters.update(host, progress);
      inner.upload?.(host, progress);
    },
  };
}
