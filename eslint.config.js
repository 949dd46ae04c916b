// ESLint for src/ and __tests__/: the recommended rules plus typescript-eslint's type-aware ones (each file is checked
// against the tsconfig.json nearest to it). Formatting is Prettier's job (.prettierrc.json), so eslint-config-prettier
// turns off the rules that would fight it. `npm run lint` runs both.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier/flat'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/', 'build/', 'coverage/', 'kernel-oci/', '.bench/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // tsconfig.eslint.json adds noUncheckedIndexedAccess, so no-unnecessary-type-assertion leaves the code's `!`
      // after index access alone and flags only assertions that are really unnecessary.
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // As TypeScript itself does (noUnusedLocals): `const { dropped: _, ...rest } = x` is how a field is left out.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // The .mjs helpers are plain JavaScript that no tsconfig includes (jest's globalSetup, a script ncc bundles): the same
    // rules minus those that need type information. They run in Node, so its `process` global is defined.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly' } },
  },
  prettier,
)
