/**
 * A device bundle as `ec2led device create` writes it (device/commands/admin/bundle.ts: certificate, key,
 * Amazon Root CA 1, config.json, folder 0700), then pointed at a World's local fakes: the test CA
 * replaces Amazon's and config.json names the loopback broker, credentials server and FakeEc2.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFiles, CONFIG_FILE, ROOT_CA_FILE, writeBundle } from '../../device/commands/admin/bundle.ts';
import type { World } from './world.ts';

/** The parts of a World a bundle needs: its PKI and the endpoints in its raw config. */
export type BundleSource = Pick<World, 'pki' | 'raw'>;

export async function writeFakeBundle(world: BundleSource, board = 'none'): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ec2led-bundle-')), 'ec2led-desk-pi');
  const raw = world.raw as { mqtt: Record<string, unknown>; aws: Record<string, unknown> };
  await writeBundle(
    dir,
    bundleFiles({
      thingName: world.pki.thingName,
      board,
      access: {
        dataEndpoint: '127.0.0.1',
        credentialsEndpoint: String(raw.aws.credentialsEndpoint),
        roleAlias: String(raw.aws.roleAlias),
        account: (raw.aws.accounts as string[] | undefined)?.[0] ?? '123456789012',
        regions: raw.aws.regions as string[],
        topicPrefix: 'ec2led',
        policyName: 'Ec2Led-DevicePolicy',
      },
      certificatePem: readFileSync(world.pki.client.cert, 'utf8'),
      privateKey: readFileSync(world.pki.client.key, 'utf8'),
    }),
  );
  copyFileSync(world.pki.ca, join(dir, ROOT_CA_FILE));
  const config = JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8'));
  config.mqtt.port = raw.mqtt.port;
  config.aws.ec2Endpoint = raw.aws.ec2Endpoint;
  config.display = { ...config.display, virtualWidth: 4, virtualHeight: 4 };
  writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2));
  return dir;
}
