/**
 * Typed GraphQL documents for the dashboard. The client preset reads schema.graphql (the
 * committed contract printed from server/graphql) and every `graphql(...)` call under
 * web/src, and writes web/src/generated/. That folder is output, never edited, and not
 * committed: `npm install` (postinstall), `npm run build` and `npm run dev` regenerate it.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'web/src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // The dashboard and the server are type-checked together under `nodenext` with
        // `verbatimModuleSyntax`: imports need extensions and type-only imports.
        importExtension: '.ts',
        useTypeImports: true,
        enumType: 'string-literal',
        scalars: { DateTime: 'string', ID: 'string' },
        // Forward-compatible: a new enum value from the server does not break a build.
        futureProofEnums: false,
      },
    },
  },
  silent: true,
};

export default config;
