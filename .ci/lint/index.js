// What eslint.config.js needs, resolved from this package (see package.json's description).
export { default as tseslint } from 'typescript-eslint';
export { default as reactHooks } from 'eslint-plugin-react-hooks';
