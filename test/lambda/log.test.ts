import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lambda/log.ts';

describe('the Lambda log lines', () => {
  it('name the publisher as their service, with level, message, time and context', () => {
    const lines: string[] = [];
    jsonLogger((line) => lines.push(line))('info', 'published', { eventId: 'e-1', state: 'running' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'info',
      msg: 'published',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'ec2led-publisher',
      eventId: 'e-1',
      state: 'running',
    });
  });
});
