/**
 * The WLED outputs in `/metrics` (outputs/metrics/exposition.ts): one series per configured device,
 * labelled by its configured host (at most 8, from the config: the series stay bounded).
 */
import type { MetricFamily } from '../metrics/exposition.ts';
import type { WledStatus } from './output.ts';

export function wledFamilies(devices: readonly WledStatus[]): MetricFamily[] {
  if (devices.length === 0) return [];
  const labels = (d: WledStatus) => ({ host: d.host, protocol: d.protocol });
  return [
    {
      name: 'ec2led_wled_up',
      help: '1 while the WLED device answers its JSON API (checked every 10 s, with backoff while it does not).',
      type: 'gauge',
      samples: devices.map((d) => ({ labels: labels(d), value: d.link === 'up' ? 1 : 0 })),
    },
    {
      name: 'ec2led_wled_frames_sent_total',
      help: 'Frames sent to the WLED device (DDP: keep-alive resends included; JSON: frames WLED accepted).',
      type: 'counter',
      samples: devices.map((d) => ({ labels: labels(d), value: d.frames })),
    },
    {
      name: 'ec2led_wled_outages_total',
      help: 'Times the WLED device stopped answering.',
      type: 'counter',
      samples: devices.map((d) => ({ labels: labels(d), value: d.outages })),
    },
  ];
}
