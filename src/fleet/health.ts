export interface UrlCheck {
  url: string;
  expectStatus: number;
  timeoutMs: number;
  retries: number;
  intervalMs: number;
}

export interface HealthResult {
  ok: boolean;
  attempts: number;
  /** What the last attempt saw: `200`, `503`, `timeout after 30 s`, `connection refused`… */
  detail: string;
  ms: number;
}

/** Checks a URL from the runner: `retries + 1` attempts at most, each within the timeout, `interval` apart. */
export async function checkUrl(c: UrlCheck, signal?: AbortSignal): Promise<HealthResult> {
  const t0 = Date.now();
  let detail = '';
  for (let attempt = 1; attempt <= c.retries + 1; attempt++) {
    signal?.throwIfAborted();
    try {
      const res = await fetch(c.url, { redirect: 'manual', signal: AbortSignal.timeout(c.timeoutMs) });
      await res.body?.cancel();
      detail = `HTTP ${res.status}`;
      if (res.status === c.expectStatus) return { ok: true, attempts: attempt, detail, ms: Date.now() - t0 };
      detail = `HTTP ${res.status}, expected ${c.expectStatus}`;
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
      detail =
        e.name === 'TimeoutError'
          ? `no answer within ${c.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
    }
    if (attempt <= c.retries) await new Promise((r) => setTimeout(r, c.intervalMs));
  }
  return { ok: false, attempts: c.retries + 1, detail, ms: Date.now() - t0 };
}

/** The health URL for one host: `{host}` becomes the host's name. */
export function urlFor(template: string, host: string): string {
  return template.replace(/\{host\}/g, host.includes(':') ? `[${host}]` : host);
}
