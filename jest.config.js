// ESM throughout: sources are TypeScript transformed by swc, run with --experimental-vm-modules.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testEnvironment: 'node',
};

export default {
  maxWorkers: 2,
  // jest's ESM module registry is not freed between test files; recycle bloated workers
  workerIdleMemoryLimit: '768MB',
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'] },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/conformance/**/*.test.ts'] },
  ],
};
