import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SshdHandle } from './sshd.js';
import { tempDir } from './temp-dirs.js';

/** A runner workspace: `app/` (the source to ship) and `deploy.yml`. */
export interface Workspace {
  dir: string;
  app: string;
  config: string;
  write(path: string, body: string): void;
}

export function makeWorkspace(files: Record<string, string>, config: string): Workspace {
  const dir = tempDir('da-ws-');
  const app = join(dir, 'app');
  const write = (path: string, body: string) => {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), body);
  };
  for (const [path, body] of Object.entries(files)) write(path, body);
  writeFileSync(join(dir, 'deploy.yml'), config);
  return { dir, app, config: join(dir, 'deploy.yml'), write };
}

/** The hosts entry that reaches a test sshd. */
export function hostEntry(sshd: SshdHandle): string {
  return `{ host: ${sshd.host}, user: ${sshd.user}, port: ${sshd.port} }`;
}

/** The action inputs for a test sshd. */
export function sshInputs(sshd: SshdHandle, extra: Record<string, string> = {}): Record<string, string> {
  return {
    environment: 'production',
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': sshd.privateKey,
    'known-hosts': sshd.knownHostsLine,
    ...extra,
  };
}

/** A deploy path under a fresh temp dir; the name has a space, a quote and a `$(...)` that must stay data. */
export function awkwardDeployPath(): string {
  return join(tempDir('da-target-'), `shop's "live" $(touch pwned) dir`);
}
