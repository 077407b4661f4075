// Temporary profiling helper (not part of the bench): timestamps every output line of one deploy.
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAction } from '../__tests__/support/action.js';
import { startProxy } from '../__tests__/support/proxy.js';
import { startSshd } from '../__tests__/support/sshd.js';
import { generateApp } from './app.js';
import { benchUser } from './fleet.js';

const rtt = Number(process.argv[2] ?? 50);
const workspace = mkdtempSync(join(tmpdir(), 'da-prof-'));
const app = join(workspace, 'app');
generateApp(app, { files: 6000, smallBytes: 28_000_000, assets: [5_000_000, 3_000_000, 2_000_000, 1_000_000, 1_000_000] });
const sshd = await startSshd();
chmodSync(sshd.dir, 0o755);
chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
const user = benchUser();
const proxy = await startProxy({ host: sshd.host, port: sshd.port }, { delayMs: rtt / 2 });
const target = mkdtempSync(join(tmpdir(), 'da-prof-target-'));
if (user) chownSync(target, user.uid, user.gid);
const dp = join(target, 'ours');
const config = (full: boolean) =>
  `name: bench\nenvironments:\n  production:\n    hosts: [{ host: 127.0.0.1, user: ${user?.name ?? 'root'}, port: ${proxy.port} }]\n    deploy_path: ${dp}\n    keep_releases: 3\n    shared_dirs: [storage]\n    shared_files: [.env]\n    full_upload: ${full}\n`;
const inputs = { config: 'deploy.yml', source: 'app', 'ssh-private-key': sshd.privateKey, 'known-hosts': sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${proxy.port} `) };
async function one(label: string, extra: Record<string, string> = {}, show = true) {
  const t0 = performance.now();
  const a = startAction({ inputs: { ...inputs, ...extra }, workspace, env: { RUNNER_DEBUG: process.env['RD'] ?? '', NODE_OPTIONS: label === 'one-file' ? (process.env['PROF'] ?? '') : '' } });
  let buf = '';
  const lines: string[] = [];
  a.child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(`${(performance.now() - t0).toFixed(0).padStart(6)} ${buf.slice(0, i).slice(0, 160)}`);
      buf = buf.slice(i + 1);
    }
  });
  const r = await a.done;
  const ms = performance.now() - t0;
  if (show) console.log(`=== ${label}: ${ms.toFixed(0)} ms (exit ${r.code})\n${lines.join("\n")}\n${r.stderr}`);
}
writeFileSync(join(workspace, 'deploy.yml'), config(false));
await one('seed', {}, false);
for (let i = 0; i < Number(process.argv[3] ?? 1); i++) {
  writeFileSync(join(workspace, 'deploy.yml'), config(true));
  writeFileSync(join(app, 'VERSION'), `full-${i}\n`);
  await one('full');
  writeFileSync(join(workspace, 'deploy.yml'), config(false));
  writeFileSync(join(app, 'VERSION'), `delta-${i}\n`);
  await one('one-file');
  await one('redeploy', { command: 'redeploy' });
}
await proxy.close();
await sshd.stop();
process.exit(0);
