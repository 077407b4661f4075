import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeGitHubApi {
  /** For GITHUB_API_URL. */
  url: string;
  requests: ApiRequest[];
  /** Answer every request with this status (default: 201 with a deployment or status object). */
  failWith?: number;
  close(): Promise<void>;
}

/** A stand-in for api.github.com's Deployments endpoints on 127.0.0.1: records each request, answers like GitHub. */
export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  let nextId = 1000;
  const api: FakeGitHubApi = { url: '', requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      api.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      if (api.failWith) {
        res.statusCode = api.failWith;
        res.end(JSON.stringify({ message: 'Server Error' }));
        return;
      }
      res.statusCode = 201;
      const id = nextId++;
      res.end(
        JSON.stringify(
          /\/statuses$/.test(req.url ?? '')
            ? { id, state: body['state'] }
            : { id, ref: body['ref'], environment: body['environment'] },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return api;
}
