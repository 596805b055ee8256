// Lint: typescript-eslint (type-aware) for TypeScript, eslint-plugin-svelte for components, and the layer
// rules from DESIGN.md: core is pure, api is pure, the renderer talks only to the api contract.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const NODE_AND_IO = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'worker_threads',
  'child_process',
  'electron',
  'better-sqlite3',
  'ws',
  'piscina',
];

const layerRule = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

// Percent IV → decimal happens in one place, `volFromPercent` / `volFromPercentOrNull` in src-main/core/units.ts
// (DESIGN.md, Deribit conventions: ticker and Tardis IVs are percent, everything inside is a decimal `Vol`).
// Flags `x / 100` where x is named like an IV or a vol (`iv`, `markIv`, `bidIvPercent`, `atmVol`, `obj.iv`, ...;
// not `volume`, `dividend` or greeks such as `vega` and `volga`), or is a call whose first argument names an IV
// field (`d.number('mark_iv') / 100`). Other `/ 100` (cents, a greek per vol point) are not IV conversions.
const IV_NAME = '/^(iv|vol|IV)([A-Z_]|$)|(Iv|Vol|IV)([A-Z_]|$)/';
const IV_FIELD = '/(^|_)iv($|_)/';
const PERCENT_IV_MESSAGE =
  'Percent IV → decimal belongs at the edge: use volFromPercent / volFromPercentOrNull from src-main/core/units.ts, not "/ 100".';
const percentIvRule = [
  'error',
  ...[
    `BinaryExpression[operator='/'][right.value=100][left.type='Identifier'][left.name=${IV_NAME}]`,
    `BinaryExpression[operator='/'][right.value=100][left.type='MemberExpression'][left.property.name=${IV_NAME}]`,
    `BinaryExpression[operator='/'][right.value=100][left.type='CallExpression'][left.arguments.0.value=${IV_FIELD}]`,
  ].map((selector) => ({ selector, message: PERCENT_IV_MESSAGE })),
];

export default ts.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/out/**', '.electron-native/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.svelte'],
    ignores: ['src-main/core/units.ts'],
    rules: { 'no-restricted-syntax': percentIvRule },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // core: pure numerics. No Node, no Electron, no IO packages, no other layer.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(
        [...NODE_AND_IO, '**/api/**', '**/app/**', '**/engine/**', '**/feeds/**', '**/store/**', '**/workers/**', '**/host/**', '**/cli/**', '**/electron/**'],
        'src-main/core is pure: it imports only from src-main/core (DESIGN.md, layers).',
      ),
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer', '__dirname'],
      // Published coefficients (Cody, Jäckel) are written with all their digits, as in the sources they cite.
      'no-loss-of-precision': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core has no clock: pass the time in.' },
        { object: 'Math', property: 'random', message: 'core takes an injected seeded generator.' },
      ],
    },
  },
  {
    // Tests quote published reference values with every digit their source gives.
    files: ['test/unit/core/**/*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // api: the contract, shared with the renderer. Pure TypeScript.
    files: ['src-main/api/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(
        [...NODE_AND_IO, '**/app/**', '**/engine/**', '**/feeds/**', '**/store/**', '**/workers/**', '**/host/**', '**/cli/**', '**/electron/**'],
        'src-main/api is the contract: pure TypeScript that the renderer imports too.',
      ),
    },
  },
  {
    // engine: deterministic kernel. Gets ports; never touches Electron, sockets or SQLite.
    files: ['src-main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(
        [...NODE_AND_IO, '**/app/**', '**/feeds/**', '**/store/**', '**/host/**', '**/cli/**', '**/electron/**'],
        'engine gets its IO as injected ports (DESIGN.md, layers).',
      ),
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': layerRule(
        [...NODE_AND_IO, '**/src-main/!(api)/**', '**/src-main/*.ts'],
        'the renderer talks only to the API contract (src-main/api).',
      ),
    },
  },
);
