/** The CLI's terminal output in pieces: the colour decision, status marks, build output lines, the help's width. */
import { lineSink } from '../../src/artifact/output-lines.js';
import { helpText, HELP_WIDTH, parseCliArgs } from '../../src/cli/args.js';
import { parseHistory, type InvalidValue } from '../../src/releases/history.js';
import { consoleLog } from '../../src/report/console-log.js';
import { LiveLine } from '../../src/report/live-line.js';
import { statusLine, style, wantsColour } from '../../src/report/style.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('wantsColour', () => {
  test('a terminal gets colour, a pipe none; NO_COLOR (any non-empty value) turns it off; FORCE_COLOR on', () => {
    expect(wantsColour(tty, {})).toBe(true);
    expect(wantsColour(pipe, {})).toBe(false);
    expect(wantsColour(tty, { TERM: 'dumb' })).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(tty, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour(pipe, { FORCE_COLOR: '3' })).toBe(true);
    expect(wantsColour(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColour(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(wantsColour(pipe, { FORCE_COLOR: '1', NO_COLOR: 'yes' })).toBe(false);
  });
});

describe('statusLine', () => {
  const on = style(true);
  test('colours the mark of a step line, also after a fleet host prefix; nothing else', () => {
    expect(statusLine('✓ upload (12 ms)', on)).toBe('\x1b[32m✓\x1b[39m upload (12 ms)');
    expect(statusLine('[web1] ✗ migrate failed', on)).toBe('[web1] \x1b[31m✗\x1b[39m migrate failed');
    expect(statusLine('  ✓ not a status line', on)).toBe('  ✓ not a status line');
    expect(statusLine('✓ upload', style(false))).toBe('✓ upload');
  });
});

describe('consoleLog', () => {
  function capture() {
    let text = '';
    return {
      stream: {
        write: (s: string) => {
          text += s;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      text: () => text,
    };
  }
  test('quiet: errors only; verbose: debug lines; prefixes coloured per stream', async () => {
    const out = capture();
    const err = capture();
    const quiet = consoleLog({ out: out.stream, err: err.stream, quiet: true });
    quiet.info('✓ upload');
    quiet.output('host text');
    quiet.warning('careful');
    quiet.debug('details');
    await quiet.group('deploy', async () => quiet.error('broken'));
    expect(out.text()).toBe('');
    expect(err.text()).toBe('error: broken\n');

    const out2 = capture();
    const err2 = capture();
    const log = consoleLog({
      out: out2.stream,
      err: err2.stream,
      debug: true,
      style: { out: style(false), err: style(true) },
    });
    log.warning('careful');
    log.debug('details');
    log.info('✓ upload');
    expect(err2.text()).toBe('\x1b[33mwarning:\x1b[39m careful\n\x1b[2mdebug:\x1b[22m details\n');
    expect(out2.text()).toBe('✓ upload\n');
    expect(log.terminal).toBe(true);
  });
});

describe('progress: a live line on a terminal, plain lines elsewhere', () => {
  function terminal(columns = 40) {
    let text = '';
    const stream = {
      columns,
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream & { columns: number };
    return { stream, text: () => text };
  }
  test('the line rewrites itself, whole lines go above it, entries per key, cut to the width', () => {
    const t = terminal(30);
    const live = new LiveLine(t.stream);
    live.set('web1', 'web1 upload 10%');
    live.write('a line\n');
    live.set('web1', 'web1 upload 50%');
    live.set('web2', 'web2 upload 5%');
    live.set('web1', undefined);
    live.end();
    expect(t.text()).toBe(
      [
        'web1 upload 10%',
        '\r\x1b[2Ka line\nweb1 upload 10%',
        '\r\x1b[2Kweb1 upload 50%',
        '\r\x1b[2Kweb1 upload 50% · web2 uploa…',
        '\r\x1b[2Kweb2 upload 5%',
        '\r\x1b[2K',
      ].join(''),
    );
  });
  test('consoleLog: a live line on a terminal; none elsewhere or when quiet (callers then print plain lines)', () => {
    const t = terminal();
    const log = consoleLog({ out: t.stream, err: t.stream, live: true });
    log.live?.('web1', 'web1: 1 MiB');
    log.info('▶ hooks');
    log.endLive();
    expect(t.text()).toBe('web1: 1 MiB\r\x1b[2K▶ hooks\nweb1: 1 MiB\r\x1b[2K');
    const p = terminal();
    expect(consoleLog({ out: p.stream, err: p.stream }).live).toBeUndefined();
    const q = terminal();
    expect(consoleLog({ out: q.stream, err: q.stream, live: true, quiet: true }).live).toBeUndefined();
  });
});

describe('lineSink', () => {
  test('whole lines as their newline arrives, a multi-byte character split across chunks, the rest at the end', () => {
    const lines: string[] = [];
    const sink = lineSink((l) => lines.push(l));
    const euro = Buffer.from('€');
    sink.write(Buffer.concat([Buffer.from('one\ntw'), euro.subarray(0, 1)]));
    expect(lines).toEqual(['one']);
    sink.write(Buffer.concat([euro.subarray(1), Buffer.from('o\r\nthree')]));
    expect(lines).toEqual(['one', 'tw€o']);
    sink.end();
    expect(lines).toEqual(['one', 'tw€o', 'three']);
  });
});

describe('CLI arguments and help', () => {
  test('-q, -v, -V; --quiet with --verbose is a usage error', () => {
    expect(parseCliArgs(['deploy', 'production', '-q'])).toMatchObject({ verbosity: 'quiet' });
    expect(parseCliArgs(['deploy', 'production', '--verbose'])).toMatchObject({ verbosity: 'verbose' });
    expect(parseCliArgs(['deploy', 'production'])).toMatchObject({ verbosity: 'normal' });
    expect(parseCliArgs(['-V'])).toEqual({ kind: 'version' });
    expect(() => parseCliArgs(['deploy', 'production', '-q', '-v'])).toThrow('exclude each other');
  });
  test(`every line of the help fits in ${HELP_WIDTH} columns`, () => {
    expect(
      helpText()
        .split('\n')
        .filter((l) => [...l].length > HELP_WIDTH),
    ).toEqual([]);
  });
});

describe('history written by a CLI run', () => {
  test('an empty run_url (a run with no URL) is no URL, not an invalid value', () => {
    const invalid: InvalidValue[] = [];
    const h = parseHistory(`${JSON.stringify({ event: 'deploy', release: 'r1', run_url: '' })}\n`, (v) =>
      invalid.push(v),
    );
    expect(h).toEqual([{ event: 'deploy', release: 'r1' }]);
    expect(invalid).toEqual([]);
  });
});
