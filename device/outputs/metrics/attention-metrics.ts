/**
 * Acknowledge and snooze in `/metrics` (pure): how many items are acknowledged and snoozed now, how
 * many kinds are snoozed whole, and every action taken, by action and by where it came from. Label
 * values come from fixed lists (actions, ATTENTION_SOURCES), never from an item.
 */
import { ATTENTION_SOURCES, type Attention, type AttentionBy } from '../../picture/attention.ts';
import type { MetricFamily } from './exposition.ts';

export const ATTENTION_ACTIONS = ['acknowledge', 'snooze', 'unsnooze', 'highlight'] as const;
export type AttentionAction = (typeof ATTENTION_ACTIONS)[number];

export interface AttentionCounters {
  count(action: AttentionAction, by: AttentionBy): void;
  families(attention: Attention): MetricFamily[];
}

export function createAttentionCounters(): AttentionCounters {
  const counts = new Map<string, number>();
  const key = (action: string, by: string) => `${action}\n${by}`;
  return {
    count(action, by) {
      counts.set(key(action, by), (counts.get(key(action, by)) ?? 0) + 1);
    },
    families: (attention) => [
      {
        name: 'ec2led_acknowledged_items',
        help: 'Items acknowledged now (they stop when the item leaves its urgent state).',
        type: 'gauge',
        samples: [{ value: attention.acknowledged.size }],
      },
      {
        name: 'ec2led_snoozes',
        help: 'Snoozes now, of one item or of a whole kind.',
        type: 'gauge',
        samples: [
          { labels: { target: 'item' }, value: attention.items.size },
          { labels: { target: 'kind' }, value: attention.kinds.size },
        ],
      },
      {
        name: 'ec2led_attention_actions_total',
        help: 'Acknowledge, snooze, unsnooze and highlight actions taken, by action and where they came from.',
        type: 'counter',
        samples: ATTENTION_ACTIONS.flatMap((action) =>
          ATTENTION_SOURCES.map((by) => ({
            labels: { action, by },
            value: counts.get(key(action, by)) ?? 0,
          })),
        ),
      },
    ],
  };
}
