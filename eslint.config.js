// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Process boundaries, enforced by folder (see docs/ARCHITECTURE.md, "Boundary rules").
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const restrict = (message, ...names) => names.map((name) => ({ name, message }));
const restrictPatterns = (message, ...group) => ({ group, message });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.loupe/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs,ts}'],
    ignores: ['renderer/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrict('The renderer runs in a sandboxed page: no Node or Electron APIs. Use the bridge.', 'electron', ...nodeBuiltins),
          patterns: [
            restrictPatterns('The renderer may import shared/ only, never service/ or electron/.', '**/service/**', '**/electron/**'),
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrict('shared/ is pure: no Node, Electron or DOM libraries.', 'electron', 'react', 'react-dom', 'openseadragon', 'dexie', ...nodeBuiltins),
          patterns: [
            restrictPatterns('shared/ depends on nothing else in the repo.', '**/service/**', '**/electron/**', '**/renderer/**'),
          ],
        },
      ],
    },
  },
  {
    files: ['service/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrict('The service is a plain Node program; it must not depend on Electron.', 'electron'),
          patterns: [restrictPatterns('service/ may import shared/ only.', '**/renderer/**', '**/electron/**')],
        },
      ],
    },
  },
  {
    files: ['electron/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrict('The sandboxed preload has no Node built-ins; keep it to the bridge.', ...nodeBuiltins),
          patterns: [restrictPatterns('The preload may import shared/ only.', '**/service/**', '**/renderer/**', '**/main/**')],
        },
      ],
    },
  },
  {
    files: ['electron/main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [restrictPatterns('Main talks to the service over HTTP and to the renderer over IPC; no direct imports.', '**/service/**', '**/renderer/**')] },
      ],
    },
  },
);
