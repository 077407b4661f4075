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
  // Prints the table of the fault-injection and hostile-input cases when they ran (see __tests__/hardening).
  reporters: ['default', '<rootDir>/__tests__/hardening/table-reporter.js'],
};
