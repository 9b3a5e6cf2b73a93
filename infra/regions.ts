/**
 * Pure: which AWS regions this app can use, kept in one place with where each list comes from.
 * Checked at synth time (settings.ts), so a typo or an unsupported region is one line naming it
 * and the fix, before anything is deployed.
 *
 * - Home region: needs IoT Core with its credentials provider, i.e. `AWS::IoT::RoleAlias`.
 *   Sources: the credentials-provider endpoints per region in "AWS IoT Core endpoints and quotas",
 *   https://docs.aws.amazon.com/general/latest/gr/iot-core.html , and the CloudFormation resource
 *   types each region offers, as cfn-lint shipped them (https://github.com/aws-cloudformation/cfn-lint ,
 *   src/cfnlint/data/schemas/providers/<region>.py) in its last release that carried them, v1.51.5 of
 *   15 June 2026 (since then cfn-lint downloads them from
 *   https://github.com/aws-cloudformation/resource-provider-enhanced-schemas releases). Every
 *   commercial region below has `AWS::IoT::Policy`; the ones in NO_CREDENTIALS_PROVIDER lack
 *   `AWS::IoT::RoleAlias`. eu-south-1 and il-central-1 gained it with the schemas of 20 April 2026
 *   (cfn-lint #4450, "Update CloudFormation schemas to 2026-04-20").
 * - Forwarder region: any commercial region. A rule there can target the default bus of another
 *   commercial region; GovCloud and China regions cannot send or receive cross-region events.
 *   Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 *   (opt-in regions must be enabled in the account first).
 *
 * The lists age: a region AWS opens, or a credentials provider AWS adds, after LISTS_AS_OF is refused
 * until it is added here with its source. Until then context `allowRegions` (ALLOW_REGIONS_KEY) lets
 * the user vouch for a region: it is taken as a commercial region with a credentials provider.
 */

/** When the lists below were last checked against their sources. */
export const LISTS_AS_OF = 'June 2026';

/** The context key that overrides the lists for the regions it names (settings.ts reads it). */
export const ALLOW_REGIONS_KEY = 'allowRegions';

/** The commercial (`aws` partition) regions, June 2026. */
export const COMMERCIAL_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** Commercial regions without `AWS::IoT::RoleAlias` (no credentials provider): forwarders only. */
export const NO_CREDENTIALS_PROVIDER: readonly string[] = [
  'af-south-1',
  'ap-east-2',
  'ap-northeast-3',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'mx-central-1',
];

/**
 * China and GovCloud regions with IoT Core and `AWS::IoT::RoleAlias`: a home region on its own,
 * never with forwarders (EventBridge routes events across regions only within the commercial partition).
 */
export const ISOLATED_HOME_REGIONS: readonly string[] = [
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-east-1',
  'us-gov-west-1',
];

export const HOME_REGIONS: readonly string[] = [
  ...COMMERCIAL_REGIONS.filter((region) => !NO_CREDENTIALS_PROVIDER.includes(region)),
  ...ISOLATED_HOME_REGIONS,
];

const commercial: readonly string[] = COMMERCIAL_REGIONS;

/**
 * The first problem with `regions` (home first, then forwarders), as a sentence naming the region
 * and the fix; undefined when the list can be deployed. A region in `allowed` (context allowRegions)
 * is taken on the user's word as a commercial region with a credentials provider.
 */
export function regionsProblem(
  regions: readonly string[],
  allowed: readonly string[] = [],
): string | undefined {
  const override = (region: string) =>
    `or, if AWS has added it since, deploy with -c ${ALLOW_REGIONS_KEY}=${region}`;
  for (const region of regions) {
    if (
      !commercial.includes(region) &&
      !ISOLATED_HOME_REGIONS.includes(region) &&
      !allowed.includes(region)
    ) {
      return (
        `${region} is not an AWS region this app knows (infra/regions.ts, as of ${LISTS_AS_OF}); check the ` +
        `spelling (e.g. eu-west-1), ${override(region)} (and add it to infra/regions.ts with its source)`
      );
    }
  }
  const [home, ...forwarders] = regions;
  if (home !== undefined && !HOME_REGIONS.includes(home) && !allowed.includes(home)) {
    const example = forwarders.find((region) => HOME_REGIONS.includes(region)) ?? 'eu-west-1';
    return (
      `${home} cannot be the home region: it has no IoT Core credentials provider ` +
      `(AWS::IoT::RoleAlias) as of ${LISTS_AS_OF} (infra/regions.ts); put a region that has one first, ` +
      `e.g. ${[example, home, ...forwarders.filter((r) => r !== example)].join(',')}, ${override(home)}`
    );
  }
  const isolated = regions.find((region) => ISOLATED_HOME_REGIONS.includes(region));
  if (regions.length > 1 && isolated !== undefined) {
    return (
      `${isolated} cannot forward events across regions (GovCloud and China are outside ` +
      'EventBridge cross-region routing); deploy one app per region there, with only that region'
    );
  }
  return undefined;
}
