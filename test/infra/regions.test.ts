import { describe, expect, it } from 'vitest';
import {
  COMMERCIAL_REGIONS,
  HOME_REGIONS,
  ISOLATED_HOME_REGIONS,
  LISTS_AS_OF,
  NO_CREDENTIALS_PROVIDER,
  regionsProblem,
} from '../../infra/regions.ts';

describe('the region lists', () => {
  it('holds each region once, and every region without a credentials provider is a commercial one', () => {
    const commercial: readonly string[] = COMMERCIAL_REGIONS;
    expect(new Set(commercial).size).toBe(commercial.length);
    for (const region of NO_CREDENTIALS_PROVIDER) expect(commercial).toContain(region);
    for (const region of ISOLATED_HOME_REGIONS) expect(commercial).not.toContain(region);
  });

  it('offers as home exactly the commercial regions with a role alias, plus China and GovCloud', () => {
    expect(HOME_REGIONS).toContain('eu-west-1');
    expect(HOME_REGIONS).toContain('us-east-1');
    expect(HOME_REGIONS).not.toContain('af-south-1');
    expect(HOME_REGIONS).toHaveLength(
      COMMERCIAL_REGIONS.length - NO_CREDENTIALS_PROVIDER.length + ISOLATED_HOME_REGIONS.length,
    );
  });

  it('has eu-south-1 and il-central-1 as home regions since the CloudFormation schemas of April 2026', () => {
    expect(HOME_REGIONS).toContain('eu-south-1');
    expect(HOME_REGIONS).toContain('il-central-1');
    expect(NO_CREDENTIALS_PROVIDER).toHaveLength(11);
    expect(LISTS_AS_OF).toBe('June 2026');
  });

  it('takes a region the user vouches for (context allowRegions) as a home region', () => {
    expect(regionsProblem(['ap-south-2'])).toMatch(/-c allowRegions=ap-south-2$/);
    expect(regionsProblem(['ap-south-2'], ['ap-south-2'])).toBeUndefined();
    expect(regionsProblem(['eu-west-1', 'zz-new-1'])).toMatch(/zz-new-1 is not an AWS region this app knows/);
    expect(regionsProblem(['eu-west-1', 'zz-new-1'], ['zz-new-1'])).toBeUndefined();
  });

  it('finds nothing wrong with a home region and commercial forwarders', () => {
    expect(regionsProblem(['eu-west-1', 'us-east-1', 'af-south-1', 'mx-central-1'])).toBeUndefined();
    expect(regionsProblem(['us-gov-west-1'])).toBeUndefined();
  });
});
