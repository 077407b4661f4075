/** Jest runs the TypeScript sources as ES modules (see ../shared/STACK.md). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
  // Longest file first, also on a fresh clone with no timing cache (see the file).
  // test.concurrent cases at once in a file (default 5): the 7 stalled-connection cases (net-stalls) each wait out
  // the SSH keepalives (~40 s), idle; all at once, that file takes one wait instead of two.
  maxConcurrency: 8,
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  // Prints the table of the fault-injection and hostile-input cases when they ran (see __tests__/hardening).
  reporters: ['default', '<rootDir>/__tests__/hardening/table-reporter.js'],
};
