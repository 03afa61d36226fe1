import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

// Libraries that speak Yjs. Components and routes see plain values from the state classes;
// only lib/sync and lib/state (through shared/discussion) hold a Y.Doc.
const yjsLibraries = ['yjs', 'y-protocols', 'y-protocols/*', 'y-indexeddb', 'y-websocket', 'lib0', 'lib0/*'];

/** A no-restricted-imports rule per folder: what it must not import (shared/ imports no app code). */
function layers(rules) {
  return rules.map(([files, forbidden]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...forbidden.map((dir) => `../${dir}/*`),
                '**/app.js',
                '**/server.js',
                '@palabre/sync-server*',
                '@palabre/web*',
              ],
              message: 'This import points against the layers in ARCHITECTURE.md ("Layout").',
            },
          ],
        },
      ],
    },
  }));
}

export default ts.config(
  {
    ignores: [
      '**/node_modules',
      'web/build',
      'sync-server/dist',
      '**/.build-*',
      'web/.svelte-kit',
      'data',
      'test-results',
      'playwright-report',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'svelte/no-navigation-without-resolve': 'off',
    },
  },
  // No import cycles: dependencies point one way (ARCHITECTURE.md, "Layout"). Type-only imports
  // are left out (they vanish at build time); a value import that closes a loop through .ts/.js
  // modules (including $lib paths and *.svelte.ts) fails the lint. A loop made only of .svelte
  // components is not seen: import-x cannot read a component's <script> as a module.
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.svelte'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.svelte'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.json', 'web/tsconfig.json'],
          extensions: ['.ts', '.js', '.svelte', '.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // The server's layers (ARCHITECTURE.md, "Layout"): routes -> services -> storage, and sync ->
  // services. Services reach live connections through services/ports.ts, never through sync/.
  ...layers([
    ['sync-server/src/storage/**', ['services', 'sync', 'http', 'routes']],
    ['sync-server/src/services/**', ['sync', 'http', 'routes']],
    ['sync-server/src/http/**', ['sync', 'routes']],
    ['sync-server/src/sync/**', ['routes']],
    ['shared/src/**', []],
  ]),
  {
    files: ['web/src/lib/components/**', 'web/src/routes/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: yjsLibraries,
              message: 'Components and routes never touch Yjs: go through a state class (web/CONTEXT.md).',
            },
          ],
        },
      ],
    },
  },
);
