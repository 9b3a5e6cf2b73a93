/** What a member account costs: docs/accounts.md says what infra/costs.ts computes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COST_INPUTS, dollars, MEMBER_ALARMS, memberAccountCost } from '../../infra/costs.ts';

const doc = readFileSync(new URL('../../docs/accounts.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

describe('member account costs', () => {
  it('counts one alarm per region, the cross-account events and, with alarmEmail, a key per region', () => {
    const withEmail = memberAccountCost(1000, 2);
    expect(withEmail.lines.map((l) => [l.item, l.quantity])).toEqual([
      ['CloudWatch alarms (dead-letter queue)', 2 * MEMBER_ALARMS],
      ['EventBridge cross-account events', 30_000],
      ['KMS key of the alarm topic', 2],
    ]);
    expect(withEmail.total).toBeCloseTo(2.23, 10);
    expect(memberAccountCost(1000, 2, COST_INPUTS, 2).total).toBeCloseTo(4.23, 10);
    expect(memberAccountCost(1000, 2, COST_INPUTS, 3).total).toBeCloseTo(6.23, 10);
    expect(memberAccountCost(1000, 2, { ...COST_INPUTS, alarmEmail: false }).total).toBeCloseTo(0.23, 10);
  });

  it('docs/accounts.md states the same totals', () => {
    const total = memberAccountCost(1000, 2).total;
    const withoutEmail = memberAccountCost(1000, 2, { ...COST_INPUTS, alarmEmail: false }).total;
    expect(doc).toContain(`adds about **${dollars(withoutEmail)} a month**`);
    expect(doc).toContain(`**${dollars(total)}** in all in the first year`);
    expect(doc).toContain(
      `that becomes **${dollars(memberAccountCost(1000, 2, COST_INPUTS, 2).total)}** in the second year and ` +
        `**${dollars(memberAccountCost(1000, 2, COST_INPUTS, 3).total)}** from the third on`,
    );
  });
});
