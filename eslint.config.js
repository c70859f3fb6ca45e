import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * House rules that break real builds are errors here, not review comments: default or deep
 * `dist/` imports of tfjs fail in Node ESM or in bundlers, and library code reports through
 * return values and callbacks, never the console (only the CLI prints).
 */
export default tseslint.config(
  { ignores: ['**/dist/**', 'docs/build/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Library code runs in Node and browsers; both sets of globals are real there.
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*/dist/*', '@tensorflow/*/dist'], message: 'Deep dist/ imports fail in Node ESM; import the package.' },
            { group: ['@colorize/*/src/*', '@colorize/*/dist/*'], message: 'Import sibling packages through their public entry.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^@tensorflow\\//] > ImportDefaultSpecifier",
          message: "Default imports of tfjs break in bundlers; use `import * as tf from '@tensorflow/tfjs-core'` or named imports.",
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/cli/**', '**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
);
