#!/usr/bin/env node
// The `ec2led` command. A packed install runs the bundled dist/cli.mjs; a clone of the repository
// runs the TypeScript sources through tsx (a dev dependency), so `npx ec2led` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundled = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
let cli;
if (existsSync(bundled)) {
  cli = await import(pathToFileURL(bundled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../device/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
