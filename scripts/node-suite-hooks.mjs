// Preloaded (--import) into every process of `npm run test:node -- MAJOR` (scripts/node-suite.ts).
// node_modules holds the native modules built for the Node that ran `npm ci`; a process of another
// major cannot load those (another NODE_MODULE_VERSION), so every file of i2c-bus, spi-device and
// unix-dgram (every module in EC2LED_SUITE_NATIVE), however it was resolved (vitest resolves bare
// names itself), is loaded from its copy built for this Node there. Everything else resolves as usual.
import { readdirSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const native = process.env.EC2LED_SUITE_NATIVE;

if (native) {
  const nativeURL = pathToFileURL(`${native}/node_modules/`).href;
  const names = readdirSync(`${native}/node_modules`).map((name) => name.replace(/[^\w-]/g, '\\$&'));
  const built = new RegExp(`/node_modules/((?:${names.join('|')})/.*)$`);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const match = names.length === 0 ? null : built.exec(resolved.url);
      if (match === null || resolved.url.startsWith(nativeURL)) return resolved;
      return { ...resolved, url: `${nativeURL}${match[1]}` };
    },
  });
}
