/**
 * What a failed DescribeAlarms means and what to do about it, by the same causes as a failed
 * DescribeInstances (ec2-errors.ts `classifyListingError`), with CloudWatch's own fixes.
 */
import { classifyListingError } from './ec2-errors.ts';

/** The fix for a failed alarm listing in `region`, naming the cause. */
export function alarmListingFix(region: string, error: unknown, endpoint: string | undefined): string {
  const where = endpoint === undefined ? `monitoring.${region}.amazonaws.com` : `alarms.endpoint ${endpoint}`;
  switch (classifyListingError(error)) {
    case 'throttled':
      return `CloudWatch throttled DescribeAlarms in ${region}: the agent backs off and relists by itself`;
    case 'not-authorized':
      return (
        'the device role lacks cloudwatch:DescribeAlarms: deploy the home stack with alarms selected ' +
        `(-c alarmPrefix=… or -c alarmTag=…, docs/checks.md) and ${region} among its regions, or remove alarms from the config`
      );
    case 'credentials':
      return `the credentials were not accepted in ${region}: check the clock (NTP) and aws.credentials`;
    case 'credentials-provider':
      return 'no credentials to list with: fix what the credentials error above names (CloudWatch was not asked)';
    case 'region-not-enabled':
      return `region ${region} is not enabled for this account: enable it or remove it from alarms.regions`;
    case 'unreachable':
      return `${where} is unreachable: check the network, DNS and alarms.endpoint; the agent relists with backoff`;
    case 'timeout':
      return `${where} did not answer in time: check the network and alarms.endpoint; the agent relists with backoff`;
    case 'server-error':
      return 'CloudWatch answered with a server error (usually brief): the agent relists with backoff';
    case 'aborted':
      return 'the listing was cancelled (the agent is stopping or a newer listing took over)';
    // DescribeAlarms pages are not checked by ec2-page.ts, and alarms use no assumed role.
    case 'malformed':
    case 'assume-role':
    case 'other':
      return 'check alarms.prefixes, alarms.regions and alarms.endpoint';
  }
}
