// ESM project: ts-jest compiles each .ts test and source file as ESM (needs --experimental-vm-modules on Node 20).
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  // Rebuilds dist/ when src/ is newer, so `npx jest` after an edit never tests the old bundle.
  globalSetup: '<rootDir>/__tests__/support/fresh-dist.mjs',
}
