/** The proxy command's stream, stderr lines (capped) and end. */
import { startProxyCommand } from '../../src/transport/proxy-command.js';

function ended(proxy: ReturnType<typeof startProxyCommand>): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    proxy.sock.on('data', (d: Buffer) => chunks.push(d));
    proxy.sock.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

test('stdin and stdout carry the stream; the end says why, with the last stderr line', async () => {
  const lines: string[] = [];
  const proxy = startProxyCommand('echo warming up >&2; head -c 5; echo " bye" >&2; exit 4', (l) => lines.push(l));
  const out = ended(proxy);
  proxy.sock.write('hello, world');
  expect(await out).toBe('hello');
  expect(lines).toEqual(['warming up', ' bye']);
  expect(proxy.failure()).toBe(
    'proxy command `echo warming up >&2; head -c 5; echo " bye" >&2; exit 4` exited with code 4:  bye',
  );
});

test('stderr lines are capped in length and number', async () => {
  const lines: string[] = [];
  const proxy = startProxyCommand('head -c 5000 /dev/zero | tr "\\0" x >&2; echo >&2; seq 1 500 >&2', (l) =>
    lines.push(l),
  );
  await ended(proxy);
  expect(lines[0]!.length).toBe(2000);
  expect(lines.length).toBe(200);
});

test('close() stops the command', async () => {
  const proxy = startProxyCommand('sleep 30', () => undefined);
  proxy.close();
  for (let i = 0; i < 100 && !proxy.failure(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(proxy.failure()).toBe('proxy command `sleep 30` was killed by SIGTERM');
});
