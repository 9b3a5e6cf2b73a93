import { describe, expect, it } from 'vitest';
import { INITIAL_LINK, type Link, stepLink } from '../../../../device/outputs/wled/link.ts';

const options = { checkMs: 10_000, random: () => 0.5 };

describe('stepLink', () => {
  it('sends the frame on the first answer and checks again after checkMs, logging nothing', () => {
    const step = stepLink(INITIAL_LINK, { type: 'answered', uptimeS: 50, nowMs: 0 }, options);
    expect(step).toMatchObject({ resend: true, checkInMs: 10_000, log: undefined });
    expect(step.link.status).toBe('up');
  });

  it('logs an outage once, backs off up to 30 s, and resends when WLED answers again', () => {
    let link: Link = stepLink(INITIAL_LINK, { type: 'answered', uptimeS: 50, nowMs: 0 }, options).link;
    const logs: string[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const step = stepLink(link, { type: 'failed', reason: 'ECONNREFUSED', nowMs: 1_000 + i }, options);
      link = step.link;
      if (step.log) logs.push(step.log.msg);
      delays.push(step.checkInMs);
      expect(step.resend).toBe(false);
    }
    expect(logs).toEqual(['wled unreachable']);
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(link).toMatchObject({ status: 'down', failures: 8, downSinceMs: 1_000, outages: 1 });
    const back = stepLink(link, { type: 'answered', uptimeS: 5, nowMs: 60_000 }, options);
    expect(back).toMatchObject({ resend: true, log: { level: 'info', msg: 'wled reachable' } });
    expect(back.link).toMatchObject({ status: 'up', failures: 0, outages: 1 });
  });

  it('resends when the uptime went back between two answers: WLED restarted unseen', () => {
    const up = stepLink(INITIAL_LINK, { type: 'answered', uptimeS: 500, nowMs: 0 }, options).link;
    expect(stepLink(up, { type: 'answered', uptimeS: 510, nowMs: 10_000 }, options).resend).toBe(false);
    const restarted = stepLink(up, { type: 'answered', uptimeS: 4, nowMs: 10_000 }, options);
    expect(restarted).toMatchObject({ resend: true, log: { msg: 'wled restarted' } });
  });
});
