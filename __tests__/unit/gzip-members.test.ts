import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { gzipMembers } from '../../src/remote/gzip-members.js';
import { preludeParts, renderPrelude, SESSION_LOOP, sessionCommand } from '../../src/remote/prelude.js';

const hasBusybox = (() => {
  try {
    execFileSync('busybox', ['true']);
    return true;
  } catch {
    return false;
  }
})();

describe('a session script as gzip members', () => {
  const parts = [
    `${'da_helper() { printf "%s\\n" "$1"; }\n'.repeat(40)}`,
    "DA_T='ü-token'\n",
    '',
    `echo 'the first phase and the loop'\n${'x'.repeat(300)}\n`,
  ];
  const whole = parts.join('');

  test("gzip -dc, GNU's and busybox's, reads the members back as the parts, in order", () => {
    const gz = gzipMembers(parts);
    expect(gunzipSync(gz).toString('utf8')).toBe(whole);
    expect(execFileSync('gzip', ['-dc'], { input: gz }).toString('utf8')).toBe(whole);
    if (hasBusybox) expect(execFileSync('busybox', ['gzip', '-dc'], { input: gz }).toString('utf8')).toBe(whole);
  });

  test('a long part is deflated once per distinct text; a short one is stored without zlib', () => {
    const [first, token] = [gzipMembers([parts[0]!]), gzipMembers([parts[1]!])];
    expect(first.length).toBeLessThan(Buffer.byteLength(parts[0]!) / 4);
    expect(gzipMembers([parts[0]!, parts[0]!])).toEqual(Buffer.concat([first, first])); // the same member, kept
    expect(token.length).toBe(Buffer.byteLength(parts[1]!) + 23); // header, block header, trailer
    expect(gunzipSync(token).toString('utf8')).toBe(parts[1]);
  });

  test("sessions of one run differ only in their token's member, and each decodes to its own prelude", () => {
    const o = { owner: 'r-1-1-abcd', deployPath: '/srv/app', idleSeconds: 120, runJson: '"run_id":"1"' };
    const scripts = ['a1b2c3', 'd4e5f6'].map((markerToken) => {
      const [shared, token, helpers] = preludeParts({ ...o, markerToken });
      expect(shared + token + helpers).toBe(renderPrelude({ ...o, markerToken }));
      const b64 = /echo (\S+) \|/.exec(sessionCommand([shared, token, helpers + SESSION_LOOP]))![1]!;
      const text = gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
      expect(text).toBe(renderPrelude({ ...o, markerToken }) + SESSION_LOOP);
      expect(text).toContain(`DA_T=${markerToken}\n`);
      return text;
    });
    expect(scripts[0]).not.toBe(scripts[1]);
  });
});
