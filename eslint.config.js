// npm run lint: ESLint with typescript-eslint's type-aware recommended rules, and Prettier's check.
// Formatting is Prettier's alone (eslint-config-prettier turns off the rules that would disagree).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-*/',
      'node_modules/',
      'tests/.artifacts/',
      'test-results/',
      'playwright-report/',
      'public/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `!` after lookups the code has just checked is the project's style (noUncheckedIndexedAccess is off).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Fire-and-forget promises are marked with `void`.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // Methods stay async where they implement a Promise-returning API (web-llm's, comlink's proxies).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JS (scripts run by node): no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
  {
    // Tests: matchers (expect.stringContaining...) and JSON.parse are typed any; harnesses patch
    // prototypes (saving the original method) and compile artifact scripts with new Function on purpose.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-implied-eval': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      'no-control-regex': 'off',
      // Playwright reads the fixtures a fixture function destructures: `async ({}, use) =>` is its form.
      'no-empty-pattern': 'off',
    },
  },
  {
    // web-llm's example pages and workers, run as they are in the browser.
    files: ['tests/conformance/**/*.js'],
    languageOptions: {
      globals: {
        self: 'readonly',
        document: 'readonly',
        Worker: 'readonly',
        navigator: 'readonly',
        window: 'readonly',
      },
    },
  },
  prettier,
);
