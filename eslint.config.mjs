import nx from '@nx/eslint-plugin';
import eslintConfigPrettier from 'eslint-config-prettier';
import * as jsoncParser from 'jsonc-eslint-parser';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx', 'tools/kafka/.cache'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      // The architecture as a rule: spi-types depends on nothing, protocol packages only on
      // spi-types, e2e on everything. Compose packages in an application or in e2e.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // Tests, benchmarks and Jest configs may use the workspace tooling (broker launcher, harness).
          allow: ['^(\\.\\./)+tools/(jest|kafka|bench|scripts)/'],
          depConstraints: [
            { sourceTag: 'type:spi', onlyDependOnLibsWithTags: ['type:none'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:spi'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:spi', 'type:adapter'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'eval is forbidden' },
        { selector: "NewExpression[callee.name='Function']", message: 'new Function is forbidden' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Users install one package at a time: what its published code imports must be in its own
    // dependencies (the workspace hoists everything, so a missing entry would pass every test).
    files: ['packages/*/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: ['{projectRoot}/**/*.spec.ts', '{projectRoot}/test/**', '{projectRoot}/bench/**', '{projectRoot}/jest.config.cjs', '{projectRoot}/eslint.config.mjs'],
        },
      ],
    },
  },
  eslintConfigPrettier,
];
