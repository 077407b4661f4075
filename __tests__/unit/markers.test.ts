import {
  BLOB_KEYS,
  LineSplitter,
  MAX_BLOB,
  MAX_LINE,
  MAX_MARKER,
  MarkerParser,
  markerPrefix,
  type Marker,
  type MarkerTooLong,
} from '../../src/remote/markers.js';
import { describeToolProblems, HOST_TOOLS } from '../../src/remote/tools.js';

const TOKEN = 'abc123';
const P = markerPrefix(TOKEN);

type Event = string | Marker;

function parser() {
  const events: Event[] = [];
  const errors: MarkerTooLong[] = [];
  const p = new MarkerParser(
    TOKEN,
    (line) => events.push(line),
    (m) => events.push(m),
    (e) => errors.push(e),
  );
  return { p, events, errors };
}

function parseIn(chunks: string[]): Event[] {
  const { p, events } = parser();
  for (const c of chunks) p.push(c);
  p.end();
  return events;
}

const STREAM = `banner line\r\n${P}hello 1 2\nstep output\n\nafter an empty line${P}data key =a value\n${P}step-end s 0\n\n\x1eabc12 not a marker\nx\n${P}phase-end 0\ntrailing`;

describe('marker parser', () => {
  test('lines and markers in order; an empty line kept, a newline before a marker is not a line', () => {
    expect(parseIn([STREAM])).toEqual([
      'banner line',
      { kind: 'hello', args: ['1', '2'] },
      'step output',
      '',
      'after an empty line',
      { kind: 'data', args: ['key', '=a', 'value'] },
      { kind: 'step-end', args: ['s', '0'] },
      '',
      '\x1eabc12 not a marker',
      'x',
      { kind: 'phase-end', args: ['0'] },
      'trailing',
    ]);
  });

  test('the same events whatever the chunking (every split point, and one character at a time)', () => {
    const whole = parseIn([STREAM]);
    for (let i = 0; i <= STREAM.length; i++) {
      for (const j of [i, i + 1, i + 3, i + 9]) {
        expect(parseIn([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)])).toEqual(whole);
      }
    }
    expect(parseIn([...STREAM])).toEqual(whole);
  });

  test('an output line goes out as soon as its newline arrives', () => {
    const { p, events } = parser();
    p.push('first line\n');
    expect(events).toEqual(['first line']);
    p.push('second');
    p.push(' half\n');
    expect(events).toEqual(['first line', 'second half']);
    // A tail that could start a marker is held, but the line before it is out.
    p.push(`third\n\x1e${TOKEN.slice(0, 3)}`);
    expect(events).toEqual(['first line', 'second half', 'third']);
    p.push(`${TOKEN.slice(3)} hello 9 9\n`);
    expect(events.at(-1)).toEqual({ kind: 'hello', args: ['9', '9'] });
  });

  test('a line under way goes out early when asked (a prompt); its rest follows, its newline alone adds nothing', () => {
    const { p, events } = parser();
    p.push('Enter password:');
    expect(p.holding).toBe(true);
    expect(events).toEqual([]);
    p.early();
    expect(events).toEqual(['Enter password:']);
    expect(p.holding).toBe(false);
    p.early();
    p.push('\n');
    p.push('10%\r');
    p.early();
    p.push('20% done\nnext\n');
    expect(events).toEqual(['Enter password:', '10%', '20% done', 'next']);
    // An empty line after a line shown early is still a line; a marker right after one is still a marker.
    p.push('half');
    p.early();
    p.push('\n\n');
    p.push(`x${P}step-end s 0\n`);
    p.end();
    expect(events.slice(4)).toEqual(['half', '', 'x', { kind: 'step-end', args: ['s', '0'] }]);
  });

  test('early never lets out a tail that could start a marker: a marker split across a quiet spell is a marker', () => {
    const { p, events } = parser();
    for (const cut of [1, 2, 4, P.length - 1]) {
      p.push(`out ${cut}${P.slice(0, cut)}`);
      p.early();
      p.push(`${P.slice(cut)}data k =${cut}\n`);
    }
    // A host's look-alike (wrong token) is output, once the tail is known not to be a marker.
    p.push('\n\x1eabc12');
    p.early();
    p.push('X data k =forged\n');
    p.end();
    expect(events).toEqual([
      'out 1',
      { kind: 'data', args: ['k', '=1'] },
      'out 2',
      { kind: 'data', args: ['k', '=2'] },
      'out 4',
      { kind: 'data', args: ['k', '=4'] },
      `out ${P.length - 1}`,
      { kind: 'data', args: ['k', `=${P.length - 1}`] },
      '',
      '\x1eabc12X data k =forged',
    ]);
  });

  test('the same events with early() after every chunk, when no line is under way at a quiet spell', () => {
    const chunks = STREAM.split(/(?<=\n)/);
    const { p, events } = parser();
    for (const c of chunks) {
      p.push(c);
      p.early();
    }
    p.end();
    expect(events).toEqual(parseIn([STREAM]));
  });

  test('a long output line is cut into pieces of MAX_LINE', () => {
    const line = 'y'.repeat(MAX_LINE * 2 + 5);
    const out = parseIn([line.slice(0, 100), line.slice(100), '\nend\n']);
    expect(out).toEqual(['y'.repeat(MAX_LINE), 'y'.repeat(MAX_LINE), 'yyyyy', 'end']);
  });

  test('a marker over 64 KiB fails once, names its key, and everything after it is dropped', () => {
    const { p, events, errors } = parser();
    p.push(`ok\n${P}data lock-info =`);
    for (let i = 0; i < 40; i++) p.push('z'.repeat(4096));
    p.push(`\n${P}phase-end 0\nlater output\n`);
    p.end();
    expect(events).toEqual(['ok']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('the marker line of data "lock-info" is longer than 64 KiB');
    expect(errors[0]!.limit).toBe(MAX_MARKER);
  });

  test('a marker of another kind over its cap names the kind', () => {
    const { p, errors } = parser();
    p.push(`${P}step-begin ${'q'.repeat(MAX_MARKER + 1)}`);
    expect(errors.map((e) => e.message)).toEqual(['a marker line (step-begin) is longer than 64 KiB']);
  });

  test('a blob key gets MAX_BLOB: a 5 MB manifest in small chunks passes, one over MAX_BLOB fails', () => {
    expect(BLOB_KEYS.has('live-manifest')).toBe(true);
    const { p, events, errors } = parser();
    const blob = 'QUJD'.repeat((5 * 1024 * 1024) / 4);
    p.push(`${P}data live-manifest `);
    for (let i = 0; i < blob.length; i += 1000) p.push(blob.slice(i, i + 1000));
    p.push('\n');
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
    expect((events[0] as Marker).args[1]!.length).toBe(blob.length);

    const big = parser();
    big.p.push(`${P}data base-manifest `);
    const piece = 'A'.repeat(1024 * 1024);
    for (let i = 0; i <= MAX_BLOB / piece.length; i++) big.p.push(piece);
    expect(big.errors.map((e) => e.message)).toEqual(['the marker line of data "base-manifest" is longer than 32 MiB']);
  });

  test('linear: 24 MB of a marker line in 4 KiB chunks is parsed in well under a second or two', () => {
    const { p, events, errors } = parser();
    const piece = 'B'.repeat(4096);
    const t0 = Date.now();
    p.push(`${P}data partial `);
    for (let i = 0; i < 6000; i++) p.push(piece);
    p.push('\n');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
  });

  test('a marker cut off by the end of the stream is dropped; a held tail that was no marker is output', () => {
    expect(parseIn([`a\n${P}data x =unfinished`])).toEqual(['a']);
    expect(parseIn(['a\n\x1eab'])).toEqual(['a', '\x1eab']);
    expect(parseIn(['\n'])).toEqual(['']);
  });
});

describe('line splitter (stderr)', () => {
  test('lines assembled across chunks, long ones cut, the last one flushed', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('err');
    s.push('or: one\nerror: t');
    s.push('wo\r\npartial');
    expect(lines).toEqual(['error: one', 'error: two']);
    s.push('x'.repeat(MAX_LINE));
    expect(lines).toHaveLength(3);
    s.flush();
    expect(lines.slice(2).join('')).toBe(`partial${'x'.repeat(MAX_LINE)}`);
  });
});

describe('tool problems', () => {
  test('missing and busybox tools are named, with the packages to install', () => {
    const text = describeToolProblems(['missing=tar,flock', 'busybox=head,find', 'bash=5.2.15(1)-release']);
    expect(text).toContain('missing: tar, flock');
    expect(text).toContain('busybox (or toybox) applets where GNU tools are needed: head, find');
    expect(text).toContain('`apk add bash coreutils findutils tar util-linux`');
    expect(text).toContain('`apt-get install coreutils findutils tar util-linux`');
  });

  test('an old bash is named; names that are not tools are left out of the message', () => {
    expect(describeToolProblems(['missing=', 'busybox=', 'bash=4.2.46(2)-release'])).toContain(
      'bash 4.2.46(2)-release is older than 4.3',
    );
    expect(describeToolProblems(['missing=tar,$(reboot),::error', 'busybox='])).toContain('missing: tar.');
    expect(HOST_TOOLS).toEqual(
      expect.arrayContaining(['head', 'find', 'tar', 'gzip', 'flock', 'timeout', 'sha256sum']),
    );
  });
});
