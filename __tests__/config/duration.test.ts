import { parseDuration } from '../../src/config/index.js';
import { formatDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1500ms', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['0', 0],
    ['0ms', 0],
    ['007s', 7000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    's',
    '-5s',
    '+5s',
    '1.5s',
    '5 s',
    ' 5s',
    '5s ',
    '5S',
    '5sec',
    '1m30s',
    '5d',
    'abc',
    '0x10',
    '1e3',
    '99999999999999999999s',
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1500, '1500ms'],
    [2000, '2s'],
    [30_000, '30s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [600_000, '10m'],
    [7_200_000, '2h'],
  ])('writes %d ms as %s, which reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
