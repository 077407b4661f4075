/** Host text can never be read as a workflow command: the block on stdout, inert lines on stderr. */
import { PassThrough } from 'node:stream';
import { CommandsOff, inertLine, inertText, mayBeCommand } from '../../src/report/workflow-commands.js';
import { foreignCommands, runnerCommands } from '../hardening/runner-commands.js';

const HOSTILE = [
  '  ::error title=Forged::HOSTILE',
  '##[error]HOSTILE',
  'x ##[warning]HOSTILE',
  '::stop-commands::pwned',
  '::pwned::',
  'a\r::error::HOSTILE',
  '\t::notice::HOSTILE',
];

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

describe('mayBeCommand and inert lines', () => {
  test('finds every line the runner could read as a command', () => {
    for (const line of HOSTILE) expect(mayBeCommand(line)).toBe(true);
    for (const line of ['plain', 'a :: b', 'x::y', '# heading', '##x[']) expect(mayBeCommand(line)).toBe(false);
  });

  test("inert lines are no command by the runner's rules, and plain lines are unchanged", () => {
    const text = inertText(HOSTILE.join('\n'));
    expect(runnerCommands(text).commands).toEqual([]);
    expect(inertLine('✓ upload (12 ms)')).toBe('✓ upload (12 ms)');
    expect(inertLine('##[error]x')).toBe('"##\\u005berror]x"');
  });
});

describe('CommandsOff', () => {
  test('host lines in a block; our own commands close it first; our plain text may stay inside', () => {
    const c = capture();
    const block = new CommandsOff(c.stream);
    c.stream.write('::group::ours\n');
    block.lines(HOSTILE);
    c.stream.write('✓ step\n');
    c.stream.write('::warning::ours\n');
    block.lines(['::error::HOSTILE again']);
    block.close();
    c.stream.write('::endgroup::\n');
    const view = runnerCommands(c.text());
    expect(foreignCommands(c.text(), /HOSTILE|pwned/)).toEqual([]);
    expect(view.commands.map((x) => x.name)).toEqual([
      'group',
      'stop-commands',
      block.token,
      'warning',
      'stop-commands',
      block.token,
      'endgroup',
    ]);
    expect(c.text()).toContain('✓ step');
  });

  test('a host that prints the token (any case) cannot end the block', () => {
    const c = capture();
    const block = new CommandsOff(c.stream);
    block.lines([`::${block.token.toUpperCase()}::`, `##[${block.token}]`, '::error::HOSTILE']);
    block.close();
    expect(foreignCommands(c.text(), /HOSTILE/)).toEqual([]);
    expect(c.text()).not.toContain(`::${block.token.toUpperCase()}::`);
  });

  test('whole stream (the CLI): everything written is inside one block, the token scrubbed from it', () => {
    const c = capture();
    const block = new CommandsOff(c.stream, true);
    c.stream.write('==> deploy\n');
    c.stream.write(`::error::HOSTILE ${block.token}\n`);
    block.lines(['##[error]HOSTILE']);
    block.close();
    const view = runnerCommands(c.text());
    expect(view.commands.map((x) => x.name)).toEqual(['stop-commands', block.token]);
    expect(view.stoppedAtEnd).toBe(false);
  });
});
