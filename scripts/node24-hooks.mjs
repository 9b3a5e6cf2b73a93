// Preloaded (--import) into every process of `npm run test:node24`. node_modules holds the native
// board modules built for the Node that ran `npm ci`; a Node 24 process cannot load those (another
// NODE_MODULE_VERSION), so every file of i2c-bus, spi-device and unix-dgram, however it was resolved (vitest
// resolves bare names itself), is loaded from their Node 24 copies in EC2LED_NODE24_NATIVE (made by
// scripts/node24.ts). Everything else resolves as usual.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const native = process.env.EC2LED_NODE24_NATIVE;

if (native) {
  const nativeURL = pathToFileURL(`${native}/node_modules/`).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const match = /\/node_modules\/((?:i2c-bus|spi-device|unix-dgram)\/.*)$/.exec(resolved.url);
      if (match === null || resolved.url.startsWith(nativeURL)) return resolved;
      return { ...resolved, url: `${nativeURL}${match[1]}` };
    },
  });
}
