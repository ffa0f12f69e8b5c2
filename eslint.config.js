// Lint runs as part of `npm test`: type-aware rules keep `any` from leaking across modules, and
// the import boundaries of ../shared/design/control-plane.md §2 hold by construction.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Top-level folders, and which of them each may import ("may import" in the design note's table).
// `common/` and `logging/` import nothing of the project, so every layer may use them.
const FOLDERS = ['common', 'logging', 'pipelines', 'vertex', 'google-clients', 'control-plane', 'functions', 'emulators', 'infra', 'console', 'scripts'];
const MAY_IMPORT = {
  common: [],
  logging: [],
  pipelines: ['common', 'logging'],
  vertex: ['common', 'logging', 'pipelines'],
  'google-clients': ['common', 'logging'],
  'control-plane': ['common', 'logging', 'vertex', 'pipelines', 'google-clients'],
  functions: ['common', 'logging', 'control-plane'],
  emulators: ['common', 'logging', 'pipelines', 'vertex', 'google-clients', 'infra'],
  infra: ['common', 'logging', 'control-plane', 'infra'],
  // The web console reads only public APIs: control-plane/ for types and pure renderers (below).
  console: ['common', 'logging', 'google-clients', 'control-plane'],
  // scripts/ may import anything; nothing may import scripts/.
};

/** Folder depths below a top-level folder that the rules cover (`control-plane/a/b/c.ts` is depth 2). */
const MAX_DEPTH = 8;

/**
 * One `no-restricted-imports` block per folder and depth: a relative import that climbs exactly to
 * the repository root (one `../` per level of the importing file) and names a forbidden folder.
 * Counting the climbs keeps `emulators/functions/` (a subfolder) apart from the top-level `functions/`.
 */
function boundaryRules() {
  return Object.entries(MAY_IMPORT).flatMap(([folder, allowed]) => {
    const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
    return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
      files: [`${folder}/${'*/'.repeat(depth)}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(?:\\.\\./){${depth + 1}}(?:${forbidden.join('|')})(?:/|$)`,
                message: `${folder}/ may import only ${allowed.join(', ') || 'nothing of the project'} (../shared/design/control-plane.md §2).`,
              },
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.local-cloud/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaryRules(),
  {
    // console/ takes from control-plane/ only types, and the tuning plots' pure specs and result schema.
    files: ['console/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/control-plane/(?!tuning/plots/|tuning/tuning-result\\.js$)',
              allowTypeImports: true,
              message: 'console/ reads only public APIs: from control-plane/ it may import types, and the tuning plots and result schema.',
            },
          ],
        },
      ],
    },
  },
);
