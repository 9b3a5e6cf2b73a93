/**
 * Instance notices in `/metrics` (exposition.ts): how many are showing, per notice code, and how many
 * notice messages were received. Labels are the fixed codes of shared/notice-message.ts (bounded).
 */
import { NOTICE_CODES } from '../../../shared/notice-message.ts';
import type { Notice } from '../../fleet/notices.ts';
import type { MetricFamily } from './exposition.ts';

export function noticeFamilies(shown: ReadonlyMap<string, Notice>, received: number): MetricFamily[] {
  const counts = new Map<string, number>(NOTICE_CODES.map((code) => [code, 0]));
  for (const notice of shown.values()) counts.set(notice.code, (counts.get(notice.code) ?? 0) + 1);
  return [
    {
      name: 'ec2led_notices',
      help: 'Instances with a notice showing on their pixel (Spot interruption, rebalance, scheduled event), by the notice shown.',
      type: 'gauge',
      samples: [...counts].map(([code, value]) => ({ labels: { notice: code }, value })),
    },
    {
      name: 'ec2led_notice_messages_received_total',
      help: 'Notice messages received on the instance topics and applied.',
      type: 'counter',
      samples: [{ value: received }],
    },
  ];
}
