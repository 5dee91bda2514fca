import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layer rule of DESIGN.md §2: the kernel imports neither adapters nor cluster;
// adapters reach the kernel only through src/kernel/index.ts.
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', '**/.prof/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/adapters/**', '**/cluster/**', '**/runtime/**'], message: 'The kernel never imports an adapter, the cluster or the runtime (DESIGN.md §2).' },
      ] }],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/kernel/*/**', '!**/kernel/index.js'], message: 'Adapters import only src/kernel/index.ts.' },
        { group: ['**/cluster/**', '**/runtime/**'], message: 'Adapters do not import the cluster or the runtime.' },
      ] }],
    },
  },
);
