/**
 * ESLint for src/, tests/ and bench/ (run by `npm run lint`, which CI runs; docs/architecture.md).
 * Syntax-only typescript-eslint: the type-aware rules cost ~4x the CPU (a TypeScript program per run) and,
 * measured, found no floating promise anywhere (4 misused promises, all in tests/bench HTTP handlers).
 * Layering is dependency-cruiser's job (.dependency-cruiser.cjs).
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.tmp/', '.scratch/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // unused names are bugs or leftovers; a leading _ marks one that is unused on purpose
      // (`const { accessToken: _t, ...rest }`, `for await (const _ of …)`, `(_req, res) =>`)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `let p; const target = open(() => p.path); p = project(target)`: a closure needs the name before its value exists
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `== null` stays allowed (null or undefined); any other loose comparison is a bug
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Throw deep, render once: only the CLI prints (through its output object), nothing in src/ uses the console
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // tests and benchmarks read untyped JSON bodies (`Record<string, any>`); src/ keeps the rule
      '@typescript-eslint/no-explicit-any': 'off',
      // tests match terminal escapes and NUL bytes on purpose (/\x1b\[/, /\x00/)
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
