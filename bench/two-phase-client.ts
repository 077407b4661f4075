/**
 * The runner side of the bench's two-phase floor with this action's own SSH transport (the same login, in the same
 * round trips, with the TCP connections opened while ssh2 loads): a separate Node process, as the action is, given
 * a JSON job on stdin. One session per host takes a lock (mkdir), unpacks the build into a new release and says
 * so; once every host has, each switches a link (ln + rename); once every host has, each releases its lock. One
 * host needs neither wait: its session gets everything at once. It exits when every session has ended, and with
 * status 1 when a session ends before it has said what it was waiting for.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { q } from '../src/remote/quote.js';
import { connectEarly } from '../src/transport/tcp.js';

export interface TwoPhaseJob {
  hosts: { host: string; port: number; dir: string }[];
  user: string;
  privateKey: string;
  knownHosts: string;
  /** A gzipped tar of the build. */
  build: string;
  /** Names the run's release directory. */
  release: string;
}

/** The script each host runs: `staged` and `switched` are said on stdout, a line read from stdin after each. */
export function twoPhaseScript(dir: string, release: string, buildBytes: number): string {
  return `set -e; cd -- ${q(dir)}; mkdir .floor-lock; trap 'rmdir .floor-lock' EXIT; r=releases/floor-${q(release)}; mkdir -p -- "$r"
head -c ${buildBytes} | tar -xzf - -C "$r"; echo staged
read -r _; ln -sfn -- "$r" .floor-next; mv -fT -- .floor-next floor-current; echo switched
read -r _`;
}

async function main(job: TwoPhaseJob): Promise<void> {
  for (const h of job.hosts) connectEarly(h.host, h.port);
  const [{ connectSsh }, { parseKnownHosts }] = await Promise.all([
    import('../src/transport/ssh.js'),
    import('../src/transport/known-hosts.js'),
  ]);
  const build = readFileSync(job.build);
  const knownHosts = parseKnownHosts(job.knownHosts);
  const solo = job.hosts.length === 1;
  const sessions = await Promise.all(
    job.hosts.map(async (h) => {
      const where = `${h.host}:${h.port}`;
      const transport = await connectSsh(
        { host: h.host, port: h.port, user: job.user, name: where },
        { privateKey: job.privateKey, knownHosts, connectTimeoutMs: 10_000 },
      );
      const proc = await transport.start(twoPhaseScript(h.dir, job.release, build.length));
      proc.stdin.write(solo ? Buffer.concat([build, Buffer.from('go\ncommit\n')]) : build);
      let out = '';
      const waiters = new Map<string, () => void>();
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (const [word, done] of waiters) if (out.includes(word)) done();
      });
      // Not pipe(): a hundred sessions piped into one stream would each add listeners to it.
      proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      const said = (word: string) =>
        Promise.race([
          new Promise<void>((resolve) => (out.includes(word) ? resolve() : waiters.set(word, resolve))),
          proc.exited.then((s) => {
            if (!out.includes(word))
              throw new Error(`${where}: the session ended (status ${s.code}) before it said ${word}`);
          }),
        ]);
      return { transport, proc, said };
    }),
  );
  if (!solo) {
    await Promise.all(sessions.map((s) => s.said('staged')));
    for (const s of sessions) s.proc.stdin.write('go\n');
    await Promise.all(sessions.map((s) => s.said('switched')));
    for (const s of sessions) s.proc.stdin.end('commit\n');
  }
  const codes = await Promise.all(sessions.map((s) => s.proc.exited));
  const failed = codes.findIndex((c) => c.code !== 0);
  if (failed >= 0)
    throw new Error(`${job.hosts[failed]!.host}:${job.hosts[failed]!.port}: the session exited ${codes[failed]!.code}`);
  await Promise.all(sessions.map((s) => s.transport.close()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(readFileSync(0, 'utf8')) as TwoPhaseJob).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
