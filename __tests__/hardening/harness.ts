/** A deploy target for one hardening case: a deploy path with one live release, reached directly or through a proxy. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction, runPost, startAction, type ActionResult, type RunningAction } from '../support/action.js';
import type { SshdHandle } from '../support/sshd.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { checkInvariants, snapshot, type CheckOptions, type Verdict } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

export interface CaseOptions {
  /** Port to reach the host on (a proxy's); default the sshd's own. */
  port?: number;
  deploy?: string[];
  activate?: string[];
  /** Extra environment keys, as YAML lines indented by 4. */
  extra?: string;
  /** A file of this many random (incompressible) bytes in the app, to make the upload take a while. */
  bigBytes?: number;
  /** Skip the first deploy (the case starts from an empty deploy path). */
  fresh?: boolean;
  deployPath?: string;
}

export interface Case {
  dp: string;
  ws: Workspace;
  hostName: string;
  inputs: Record<string, string>;
  /** Writes the config for the faulted run. */
  config(o?: Partial<CaseOptions>): void;
  start(extra?: Record<string, string>, env?: Record<string, string>): RunningAction;
  run(extra?: Record<string, string>): Promise<ActionResult>;
  /** The post step with the main step's saved state (as the runner runs it). */
  post(main: ActionResult): Promise<ActionResult>;
  /** Checks every invariant, with a plain deploy (direct, no fault) as the next deploy. */
  check(result: ActionResult, o?: Partial<CheckOptions>): Promise<Verdict>;
  before: ReturnType<typeof snapshot>;
}

export function knownHostsFor(sshd: SshdHandle, port: number): string {
  return sshd.knownHostsLine.replace(/^\[[^\]]+\]:\d+/, `[${sshd.host}]:${port}`);
}

function yamlList(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

export function configText(sshd: SshdHandle, dp: string, port: number, o: Partial<CaseOptions> = {}): string {
  return `name: shop
environments:
  production:
    hosts: [{ host: ${sshd.host}, user: ${sshd.user}, port: ${port} }]
    deploy_path: ${JSON.stringify(dp)}
    keep_releases: 3
    shared_dirs: [storage]
    shared_files: [.env]
    writable_dirs: [storage/logs]
    writable_mode: chmod
    deploy: ${yamlList(o.deploy ?? [])}
    activate: ${yamlList(o.activate ?? [])}
${o.extra ?? ''}`;
}

/** A case: a fresh deploy path with one release deployed directly (so there is a live release and shared data). */
export async function makeCase(sshd: SshdHandle, o: CaseOptions = {}): Promise<Case> {
  const dp = o.deployPath ?? join(tempDir('da-hard-'), 'app');
  const files: Record<string, string> = {
    VERSION: 'v1\n',
    'public/index.html': '<h1>shop</h1>\n',
    'storage/logs/.keep': '',
    'storage/app/data.txt': 'keep me\n',
    '.env': 'APP_KEY=seed\n',
  };
  const ws = makeWorkspace(files, configText(sshd, dp, sshd.port));
  if (o.bigBytes) writeFileSync(join(ws.app, 'big.bin'), randomBytes(o.bigBytes));
  const direct = {
    environment: 'production',
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': sshd.privateKey,
    'known-hosts': sshd.knownHostsLine,
    'connect-timeout': '5',
  };
  if (!o.fresh) {
    const first = await runAction({ inputs: direct, workspace: ws.dir });
    if (first.code !== 0) throw new Error(`the first deploy failed:\n${first.stdout}`);
    // What the hosts hold now is what a live app would have: shared data written after the first deploy.
    writeFileSync(join(dp, 'shared/storage/app/data.txt'), 'written by the app\n');
  }
  ws.write('VERSION', 'v2\n');
  // The case's deploy must really carry the big file: a delta from the first deploy would leave it out.
  if (o.bigBytes) writeFileSync(join(ws.app, 'big.bin'), randomBytes(o.bigBytes));
  const port = o.port ?? sshd.port;
  const inputs = { ...direct, 'known-hosts': knownHostsFor(sshd, port) };
  const c: Case = {
    dp,
    ws,
    hostName: `${sshd.user}@${sshd.host}:${port}`,
    inputs,
    before: snapshot(dp),
    config(over = {}) {
      writeFileSync(ws.config, configText(sshd, dp, port, { ...o, ...over }));
    },
    start: (extra = {}, env = {}) => startAction({ inputs: { ...inputs, ...extra }, workspace: ws.dir, env }),
    run: (extra = {}) => runAction({ inputs: { ...inputs, ...extra }, workspace: ws.dir }),
    post: (main) => runPost(main, { inputs, workspace: ws.dir }),
    async check(result, opts = {}) {
      return checkInvariants({
        hosts: [{ name: c.hostName, deployPath: dp, before: c.before }],
        result,
        nextDeploy: async () => {
          writeFileSync(ws.config, configText(sshd, dp, sshd.port));
          ws.write('VERSION', 'v3\n');
          return runAction({ inputs: direct, workspace: ws.dir });
        },
        ...opts,
      });
    },
  };
  c.config();
  return c;
}

/** Runs the post step when the main step left it work (state remote=started), as the runner would. */
export async function postIfNeeded(c: Case, main: ActionResult): Promise<ActionResult | undefined> {
  if (main.state['remote'] !== 'started') return undefined;
  const post = await c.post(main);
  if (post.code !== 0) throw new Error(`the post step failed:\n${post.stdout}\n${post.stderr}`);
  return post;
}

/** The run's result, or a failure (and the process killed) when it does not end within `ms`: a hang is a bug. */
export async function doneWithin(run: RunningAction, ms: number): Promise<ActionResult> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`the action did not end within ${ms / 1000} s (it hung)`));
    }, ms);
  });
  try {
    return await Promise.race([run.done, hung]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
