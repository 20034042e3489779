#!/usr/bin/env node
// Entry point of the `throughline` ops CLI (npx throughline ...): runs the TypeScript sources via tsx.
const { join } = require('node:path');
process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/main.ts');
