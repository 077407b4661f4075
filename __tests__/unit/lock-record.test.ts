import { STAGE_TTL_MAX_MS } from '../../src/config/schema-stage.js';
import { STAGE_SH } from '../../src/remote/sh/index.js';
import { describeHeldLock } from '../../src/commands/host-messages.js';
import { leadingMembers, lockHolder } from '../../src/remote/steps/lock.js';

describe('a lock record longer than the 4 KiB a host reads of it', () => {
  test('leadingMembers: the whole members at the start, never a value cut at the end', () => {
    expect(leadingMembers('{"run_id":"7","pid":12,"ok":true,"n":null,"actor":"mo\\"na","pad":"xxx')).toEqual({
      run_id: '7',
      pid: 12,
      ok: true,
      n: null,
      actor: 'mo"na',
    });
    expect(leadingMembers('{"run_id":"7","pid":123')).toEqual({ run_id: '7' });
    expect(leadingMembers('{"a":{"b":1},"c":"d"}')).toEqual({});
    expect(leadingMembers('xxxx{"a":"b"}')).toEqual({});
    expect(Object.getPrototypeOf(leadingMembers('{"__proto__":"x","a":"b",'))).toBeNull();
    // Linear: a 4 KiB string of escapes and a 1 MB one take no time.
    const t = Date.now();
    leadingMembers(`{"a":"${'\\"'.repeat(500_000)}`);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  test('lockHolder and the lock-held message: the holder named from the first 4 KiB, or an unreadable record', () => {
    const data = (info: string) =>
      new Map([
        ['lock-info', [info]],
        ['lock-info-cut', ['yes']],
      ]);
    const named = lockHolder(data('{"repository":"acme/shop","run_id":"9","actor":"mona","pad":"xx'));
    expect(named).toMatchObject({ cut: true, unreadable: false, info: { run_id: '9' } });
    expect(describeHeldLock(data('{"repository":"acme/shop","run_id":"9","pad":"xx'), 'production')).toContain(
      'held by acme/shop run 9. Its owner record (.deploy/lock/info.json) is larger than 4 KiB: only its first 4 KiB were read.',
    );
    const none = lockHolder(data('{"pad":"xxxxxxxx'));
    expect(none).toMatchObject({ cut: true, unreadable: true });
    expect(describeHeldLock(data('{"pad":"xxxx'), 'production')).toContain(
      'and they hold no whole field (unreadable lock record)',
    );
    // Not cut: a record that is not JSON is unreadable as before.
    expect(lockHolder(new Map([['lock-info', ['{"run_id":"9"']]]))).toMatchObject({ cut: false, unreadable: true });
  });
});

describe('the expiry bound of a hold', () => {
  test('sh/stage.sh caps an expiry at the longest stage_ttl the config allows', () => {
    expect(STAGE_SH).toContain(`now + ${STAGE_TTL_MAX_MS / 1000} + 3600`);
    expect(STAGE_SH).toContain(`(${STAGE_TTL_MAX_MS / 86_400_000} days)`);
  });
});
