// Shared Jest configuration of every project.
//
// Tests run as CommonJS through SWC: TypeScript sources, and the ESM-only dependencies listed in
// ESM_ONLY (jose 6, …), are compiled to CommonJS on the fly, so no --experimental-vm-modules flag is
// needed and jest.mock/fake timers behave as usual. Sibling @onex packages resolve to their
// src/index.ts, so no build is needed before testing.
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '../..');

/** npm packages that ship ESM only and must be transformed for Jest. */
const ESM_ONLY = [
  'jose',
  '@marcbachmann/cel-js',
  'proxy',
  'oidc-provider',
  'fast-check',
  'pure-rand',
];

/**
 * Builds a project's Jest config.
 * @param {string} projectDir absolute path of the project
 * @param {{ kafka?: boolean, testTimeout?: number }} [options] kafka: start (or reuse) the real broker
 */
function createJestConfig(projectDir, options = {}) {
  const name = path.basename(projectDir);
  return {
    displayName: name,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
    transform: {
      '^.+\\.(ts|js|mjs)$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.map((p) => p.replace('/', '\\/')).join('|')})/)`],
    moduleNameMapper: {
      '^@onex/spi-types/support$': `${workspaceRoot}/packages/spi-types/src/support/index.ts`,
      '^@onex/(spi-types|http|http-extended|kafka|kafka-extended|circuit-breaker|bridge)$': `${workspaceRoot}/packages/$1/src/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    testTimeout: options.testTimeout ?? (options.kafka ? 60_000 : 15_000),
    ...(options.kafka
      ? {
          globalSetup: `${workspaceRoot}/tools/jest/kafka-global-setup.mjs`,
          globalTeardown: `${workspaceRoot}/tools/jest/kafka-global-teardown.mjs`,
        }
      : {}),
    coverageDirectory: '<rootDir>/coverage',
    ...(process.env.ONEX_JEST_SUMMARY_DIR
      ? { reporters: ['default', [`${workspaceRoot}/tools/jest/summary-reporter.cjs`, { dir: process.env.ONEX_JEST_SUMMARY_DIR, project: process.env.ONEX_JEST_SUMMARY_NAME || name }]] }
      : {}),
  };
}

module.exports = { createJestConfig, workspaceRoot, ESM_ONLY };
