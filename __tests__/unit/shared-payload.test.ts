import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Archive, Built } from '../../src/artifact/artifact.js';
import { buildSource } from '../../src/commands/delta-choice.js';
import type { EnvironmentConfig } from '../../src/config/index.js';
import type { Fleet, Member } from '../../src/fleet/fleet.js';
import type { HostFacts } from '../../src/remote/steps/inspect.js';
import { tempDir } from '../support/temp-dirs.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Hosts with nothing deployed yet: each gets the whole build. */
function freshHost(name: string): [Member, HostFacts] {
  const member = { host: { name } } as unknown as Member;
  const facts: HostFacts = {
    user: 'deploy',
    absent: true,
    liveTarget: '',
    releases: [],
    dirs: [],
    history: [],
    partial: new Set(),
    invalid: [],
  };
  return [member, facts];
}

describe('the payload of a fleet', () => {
  test('hosts that get the same archive share one reading of it: the runner holds it once, not once per host', async () => {
    const dir = tempDir('da-payload-');
    const path = join(dir, 'release.tar.gz');
    const archiveBytes = randomBytes(200_000);
    writeFileSync(path, archiveBytes);
    const archive: Archive = { path, done: Promise.resolve({ bytes: archiveBytes.length } as never) };
    const built = {
      full: () => archive,
      manifestGz: async () => Buffer.from('manifest'),
    } as unknown as Built;
    const config = {
      fullUpload: false,
      keepReleases: 5,
      sharedDirs: [],
      sharedFiles: [],
      clearPaths: [],
    } as unknown as EnvironmentConfig;
    const hosts = new Map([freshHost('web1'), freshHost('web2'), freshHost('web3')]);
    const members = [...hosts.keys()];
    const source = await buildSource(config, 'abc123', {} as Fleet, hosts, '20260101000000', built, () => undefined);
    await archive.done;

    const first = await bytesOf(source.fill(members[0]!).payload!.open());
    expect(first.includes(archiveBytes)).toBe(true);
    // The archive is whole and small: the first host's reading is kept for the others, so its file is not read again.
    rmSync(path);
    for (const m of members.slice(1)) expect(await bytesOf(source.fill(m).payload!.open())).toEqual(first);
  });
});
