#!/usr/bin/env node
// The `hookpost` command (npx hookpost …): the compiled CLI, built by `npm install` at
// the repository's root (or `npm run build -w clients/typescript`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
