/**
 * The linter (`npm run lint`, run by .ci/run). ESLint's and typescript-eslint's
 * recommended rules, plus the type-aware ones that catch a promise nobody waits for or
 * handles: a rejection there is lost, or takes the process down. typescript-eslint and its
 * TypeScript come from the .ci/lint workspace (see its package.json).
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import { reactHooks, tseslint } from '@hookpost/lint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'web/src/generated/',
      'server/db/generated/',
      'clients/typescript/src/generated/',
      'test/artifacts/',
      'bench-results/',
      '.hookpost/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape the assertions themselves check: their helpers
    // default to `any` there (server and dashboard code has none).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
