import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronBan = { name: 'electron', message: 'engine/ and shared/ are plain code: never import electron.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan] }] },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan], patterns: [{ group: ['node:*'], message: 'shared/ must not use node: modules.' }] },
      ],
    },
  },
  {
    // The core is what tests, the browser tests and the bench run without Electron.
    files: ['src/main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'main/core/ is plain Node: Electron belongs in main/electron/.' },
            { name: 'electron-store', message: 'main/core/ is plain Node: take a KeyValueStore instead.' },
          ],
          patterns: [
            {
              group: ['electron/*', '../electron/*', '../index', '../index.ts'],
              message: 'main/core/ must not reach the Electron adapters or the composition root.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/**', '**/main/**', '**/renderer/**', 'node:*'],
              message: 'The preload reaches main only through IPC; it uses shared/ alone.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/**', '**/main/**', 'electron', 'node:*'],
              message: 'UI code talks to the engine only through IPC or HTTP.',
            },
          ],
        },
      ],
    },
  },
);
