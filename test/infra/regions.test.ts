import { describe, expect, it } from 'vitest';
import {
  COMMERCIAL_REGIONS,
  HOME_REGIONS,
  ISOLATED_HOME_REGIONS,
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

  it('finds nothing wrong with a home region and commercial forwarders', () => {
    expect(regionsProblem(['eu-west-1', 'us-east-1', 'af-south-1', 'mx-central-1'])).toBeUndefined();
    expect(regionsProblem(['us-gov-west-1'])).toBeUndefined();
  });
});
