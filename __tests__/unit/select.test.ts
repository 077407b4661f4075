import { parseHostSpec, type HostConfig } from '../../src/config/index.js';
import { selectHosts } from '../../src/fleet/select.js';

const at = { file: 'deploy.yml', line: 1, column: 1 };
const host = (spec: string): HostConfig => ({ ...parseHostSpec(spec, at), deployPath: '/srv/shop' }) as HostConfig;

const web1 = host('deploy@web1.example.com:2222');
const web2 = host('deploy@web2.example.com');
const worker = host('ops@worker.example.com');
const v6 = host('deploy@[::1]:2200');
const local = host('local');
const all = [web1, web2, worker, v6, local];
const names = (hosts: HostConfig[]) => hosts.map((h) => h.name);

describe('selectHosts', () => {
  test('an empty list selects every host', () => {
    expect(selectHosts(all, '', '--hosts')).toBe(all);
    expect(selectHosts(all, ' , ,', '--hosts')).toBe(all);
  });

  test('by display name, host name, or user@host', () => {
    expect(names(selectHosts(all, 'deploy@web1.example.com:2222', '--hosts'))).toEqual([web1.name]);
    expect(names(selectHosts(all, 'web2.example.com', '--hosts'))).toEqual([web2.name]);
    expect(names(selectHosts(all, 'deploy@web1.example.com', '--hosts'))).toEqual([web1.name]);
    expect(names(selectHosts(all, 'WORKER.example.com', '--hosts'))).toEqual([worker.name]);
    expect(names(selectHosts(all, '::1', '--hosts'))).toEqual([v6.name]);
    expect(names(selectHosts(all, '[::1]', '--hosts'))).toEqual([v6.name]);
    expect(names(selectHosts(all, 'deploy@[::1]:2200', '--hosts'))).toEqual([v6.name]);
    expect(names(selectHosts(all, 'local', '--hosts'))).toEqual(['local']);
  });

  test('keeps config order and drops duplicates', () => {
    const picked = selectHosts(
      all,
      ' worker.example.com, web1.example.com ,deploy@web1.example.com:2222,web1.example.com',
      '--hosts',
    );
    expect(names(picked)).toEqual([web1.name, worker.name]);
    expect(picked[0]).toBe(web1);
  });

  test('one item may select several hosts on the same machine', () => {
    const a = host('deploy@box:2201');
    const b = host('deploy@box:2202');
    const c = host('other@box:2203');
    expect(names(selectHosts([a, b, c], 'box', 'input hosts'))).toEqual([a.name, b.name, c.name]);
    expect(names(selectHosts([a, b, c], 'deploy@box', 'input hosts'))).toEqual([a.name, b.name]);
  });

  test('an item that matches nothing names the item and lists the hosts, prefixed with the source', () => {
    expect(() => selectHosts(all, 'web1.example.com,nosuchhost', '--hosts')).toThrow(
      `--hosts: "nosuchhost" matches no host. The hosts of this environment are: ${names(all).join(', ')}`,
    );
    expect(() => selectHosts([web2], 'ops@web2.example.com', 'input hosts')).toThrow(
      /^input hosts: "ops@web2\.example\.com" matches no host/,
    );
    // The wrong user or the wrong port does not match.
    expect(() => selectHosts([web1], 'deploy@web1.example.com:22', '--hosts')).toThrow(/matches no host/);
  });

  test('every unmatched item is reported at once', () => {
    expect(() => selectHosts(all, 'a,b', '--hosts')).toThrow(/^--hosts: "a" matches no host; "b" matches no host\. /);
  });

  test('label=NAME selects the hosts with that label, in config order; an unknown label or key is an error', () => {
    const labelled = [
      { ...host('deploy@web1.example.com'), labels: ['web'] },
      { ...host('deploy@worker1.example.com'), labels: ['worker'] },
      { ...host('deploy@web2.example.com'), labels: ['web', 'edge'] },
    ];
    expect(selectHosts(labelled, 'label=web', '--hosts').map((h) => h.host)).toEqual([
      'web1.example.com',
      'web2.example.com',
    ]);
    expect(selectHosts(labelled, 'label=edge,worker1.example.com', '--hosts').map((h) => h.host)).toEqual([
      'worker1.example.com',
      'web2.example.com',
    ]);
    expect(() => selectHosts(labelled, 'label=db', '--hosts')).toThrow(
      /--hosts: "label=db" matches no host.*web1.example.com \[web\]/,
    );
    expect(() => selectHosts(labelled, 'role=web', '--hosts')).toThrow(/only label=NAME selects by key/);
  });
});
