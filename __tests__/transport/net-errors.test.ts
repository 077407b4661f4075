import { describeHandshakeTimeout, describeLostConnection, describeNetError } from '../../src/transport/net-errors.js';

const target = { host: 'web1.example.com', port: 2209 };

describe('describeNetError: one sentence and what to check, the code kept', () => {
  test.each([
    [
      'ECONNREFUSED',
      "nothing listens on port 2209 of web1.example.com (ECONNREFUSED): wrong port? is sshd running? a firewall that rejects the runner's address?",
    ],
    ['ENOTFOUND', 'the name web1.example.com does not resolve (ENOTFOUND): a typo?'],
    ['EAI_AGAIN', 'the name web1.example.com could not be resolved now (EAI_AGAIN'],
    [
      'ETIMEDOUT',
      "no answer from port 2209 of web1.example.com (ETIMEDOUT): a firewall that drops the runner's packets? GitHub's hosted runners",
    ],
    ['EHOSTUNREACH', 'no route to web1.example.com (EHOSTUNREACH)'],
    ['ENETUNREACH', 'no route to web1.example.com (ENETUNREACH)'],
    [
      'ECONNRESET',
      'web1.example.com closed the connection on port 2209 before the SSH handshake finished (ECONNRESET)',
    ],
  ])('%s', (code, sentence) => {
    expect(describeNetError(code, target)).toContain(sentence);
  });

  test('the CLI speaks of this machine, never of a runner', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']) {
      const sentence = describeNetError(code, target, 'cli')!;
      expect(sentence).toContain(code);
      expect(sentence).not.toMatch(/runner|GitHub/);
    }
    expect(describeNetError('ECONNREFUSED', target, 'cli')).toContain(
      "a firewall that rejects this machine's address?",
    );
    expect(describeHandshakeTimeout(target, 30, false, 'cli')).not.toMatch(/runner|GitHub/);
  });

  test('a code without a sentence (or none) is left to the caller', () => {
    expect(describeNetError('EWHATEVER', target)).toBeUndefined();
    expect(describeNetError(undefined, target)).toBeUndefined();
  });

  test('a handshake timeout tells a silent firewall from a port that speaks no SSH', () => {
    expect(describeHandshakeTimeout(target, 30, false)).toMatch(
      /^no SSH connection within 30 s: no answer from port 2209/,
    );
    expect(describeHandshakeTimeout(target, 30, true)).toMatch(
      /^no SSH connection within 30 s: port 2209 of web1.example.com accepted the TCP connection, but the SSH handshake did not finish: is it an SSH server/,
    );
  });

  test('a connection lost mid-session', () => {
    expect(describeLostConnection({ message: 'read ECONNRESET', code: 'ECONNRESET' })).toMatch(
      /^the host closed the connection \(ECONNRESET\)/,
    );
    expect(describeLostConnection({ message: 'boom', code: 'EPROTO' })).toBe('the connection failed: boom (EPROTO)');
  });
});
