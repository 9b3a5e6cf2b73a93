/**
 * The esbuild configuration of the packed agent (`dist/cli.mjs` and its chunks), so a Pi installs
 * no TypeScript toolchain and no SDK source tree: only the native and admin packages stay external.
 * A second entry, `dist/ec2-listing.mjs`, is the listing process (device/sources/listing-child.ts);
 * the agent finds it one folder above `dist/chunks/`, where the code that starts it is bundled.
 */
import type { BuildOptions, Plugin } from 'esbuild';
import { ROOT } from './lambda-bundle.ts';

/** Native modules (built on the Pi) and the admin-only AWS clients (never installed on a Pi). */
export const DEVICE_EXTERNALS = [
  'aws-iot-device-sdk-v2',
  'aws-crt',
  'i2c-bus',
  'spi-device',
  'rpi-ws281x-native',
  '@aws-sdk/client-iot',
  '@aws-sdk/client-cloudformation',
  // `ec2led device set` (commands/admin/shadow-set.ts); the agent speaks to its shadow over MQTT instead.
  '@aws-sdk/client-iot-data-plane',
];

const LAZY_CHAIN = `${ROOT}device/sources/lazy-default-credentials.ts`;

/** Routes the SDK's eager import of the default credential chain through a lazy loader. */
const lazyDefaultCredentials: Plugin = {
  name: 'lazy-default-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) =>
      args.importer === LAZY_CHAIN ? undefined : { path: LAZY_CHAIN },
    );
  },
};

export function deviceBuildOptions(outdir: string): BuildOptions {
  return {
    entryPoints: { cli: `${ROOT}device/main.ts`, 'ec2-listing': `${ROOT}device/sources/listing-child.ts` },
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    external: DEVICE_EXTERNALS,
    plugins: [lazyDefaultCredentials],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'silent',
  };
}
