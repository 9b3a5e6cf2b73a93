/**
 * What a source adds to the one MQTT connection (mqtt.ts): its topic filters and what a message on
 * them becomes. The connection knows no kind; each source brings its route (instance-topics.ts for
 * the EC2 instances' state messages, alarm-topics.ts for the CloudWatch alarms').
 *
 * Contract:
 * - `route` never throws: a message on one of the route's topics becomes a change, or a drop with
 *   its reason, or an out-of-scope drop (an account or region not configured), or `taken`: the
 *   route's source kept it beside the fleet (an instance notice, notice-topics.ts), no change; a
 *   topic that is not the route's gives undefined, and the next route is asked.
 * - `filters(budget)` gives at most `budget` filters (wider wildcards when short), at least one.
 * - `planFilters` is the one place the per-connection subscription budget (IoT Core: 50,
 *   shared/topics.ts MAX_SUBSCRIPTIONS) is shared out: every route gets its own filters when they all
 *   fit; otherwise every route but the first collapses to one filter and the first (the instances,
 *   the most numerous) takes what is left.
 */
import type { Change } from '../fleet/item.ts';

/** Why a message was dropped; the log line says more (the topic, the decoder's reason). */
export type MessageDropReason = 'bad-topic' | 'out-of-scope' | 'bad-payload' | 'topic-mismatch';

export type Routed =
  | { readonly change: Change }
  | { readonly drop: MessageDropReason; readonly why: string }
  /** An account or region not configured: `what` names it ("123456789012/eu-west-1"). */
  | { readonly outOfScope: string }
  /** The route's source took the message itself (not a change of the fleet). */
  | { readonly taken: true };

export interface TopicRoute {
  filters(budget: number): readonly string[];
  route(topic: string, payload: ArrayBuffer): Routed | undefined;
}

/** The filters to subscribe, within `budget` (see the contract). */
export function planFilters(routes: readonly TopicRoute[], budget: number): string[] {
  const ideal = routes.map((route) => route.filters(budget));
  if (ideal.reduce((sum, filters) => sum + filters.length, 0) <= budget) return ideal.flat();
  const rest = routes.slice(1).flatMap((route) => route.filters(1));
  const first = routes[0]?.filters(Math.max(1, budget - rest.length)) ?? [];
  return [...first, ...rest];
}
