/**
 * Builders for the fleet's data (device/fleet/item.ts): one fleet member, one live change, one
 * listed instance, with the defaults most tests want, so a test names only what it is about.
 *
 * Contract:
 * - Every default is a valid value of its kind (an EC2 instance id, us-east-1, account 111111111111,
 *   stamped 0), so a test that checks validation states its bad value itself.
 * - `instanceId(n)` keeps numeric order in id order (1 -> i-00000001, 10 -> i-0000000a): tests that
 *   count pixels from the top-left can rely on it.
 * - `over` replaces any field; nothing here is shared mutable state.
 */
import type { Change, Change as InstanceChange, Item, ItemDetails } from '../../device/fleet/item.ts';
import type { InstanceState } from '../../shared/instance-state.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '111111111111';

/** The EC2 instance id of number `n`: `i-` and 8 hex digits. */
export const instanceId = (n: number): string => `i-${n.toString(16).padStart(8, '0')}`;

/** Fleet member `n`: an EC2 instance in `state`, named `name` (untagged), stamped 0. */
export function instance(
  n: number,
  state: InstanceState = 'running',
  name?: string,
  over: Partial<Item> = {},
): Item {
  return {
    kind: 'instance',
    id: instanceId(n),
    state,
    timeMs: 0,
    sinceMs: 0,
    region: REGION,
    account: ACCOUNT,
    name,
    tags: {},
    ...over,
  };
}

/** A live change of an EC2 instance at `timeMs`, with no event id unless `over` gives one. */
export function change(
  id: string,
  state: InstanceState,
  timeMs: number,
  over: Partial<Omit<InstanceChange, 'instanceId' | 'state' | 'timeMs'>> = {},
): Change {
  return { id: id, state, timeMs, region: REGION, account: ACCOUNT, ...over };
}

/** An EC2 instance as a listing describes it; named with its `Name` tag when `name` is given. */
export function listed(
  id: string,
  state: InstanceState = 'running',
  name?: string,
  over: { readonly region?: string; readonly account?: string } = {},
): ItemDetails {
  return {
    id: id,
    state,
    region: REGION,
    account: ACCOUNT,
    name,
    tags: name === undefined ? {} : { Name: name },
    ...over,
  };
}
