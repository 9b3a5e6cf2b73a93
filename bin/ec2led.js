#!/usr/bin/env node
// The `ec2led` command. In a clone of the repository it runs the TypeScript sources through tsx (a
// dev dependency), so `npx ec2led` always runs the code as it is now; a packed install, which ships
// dist/ and no sources, runs the bundle built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The AWS SDK prints a 9-line Node-version warning at the first client it builds, in front of every
// message of a command that lists instances. Turn off that one warning (its own documented switch;
// every other warning still prints); `ec2led --version` gives the same advice in one line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const source = fileURLToPath(new URL('../device/main.ts', import.meta.url));
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
} else {
  cli = await import(new URL('../dist/cli.mjs', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
