import { describe, expect, it } from 'vitest';
import type { Plan } from '../subscriptions/plan';
import { referralReward, valueInBalanceCurrency } from './referral-rules';

const plan: Plan = {
  code: '1m',
  durationDays: 30,
  prices: { RUB: 19_900, USD: 249 },
  starsPrice: 150,
  enabled: true,
  sortOrder: 0,
  deviceLimit: null,
  trafficLimitBytes: null,
  trafficReset: 'period',
};

describe('referral reward amount', () => {
  it("is a percentage of a top-up's credit, rounded down to whole minor units", () => {
    const topup = { kind: 'topup' as const, amountMinor: 500, currency: 'USD', creditMinor: 45_555 };
    expect(valueInBalanceCurrency(topup, null, 'RUB')).toBe(45_555);
    expect(referralReward(45_555, 10)).toBe(4_555);
  });

  it('values a subscription paid in the balance currency at what was paid', () => {
    const p = { kind: 'subscription' as const, amountMinor: 19_900, currency: 'RUB', creditMinor: null };
    expect(valueInBalanceCurrency(p, plan, 'RUB')).toBe(19_900);
  });

  it("values a subscription paid in Stars or another currency at the plan's balance-currency price", () => {
    const stars = { kind: 'subscription' as const, amountMinor: 150, currency: 'XTR', creditMinor: null };
    expect(valueInBalanceCurrency(stars, plan, 'RUB')).toBe(19_900);
    expect(valueInBalanceCurrency(stars, plan, 'EUR')).toBeNull();
  });

  it('gives nothing for tiny amounts or a zero percentage', () => {
    expect(referralReward(9, 10)).toBe(0);
    expect(referralReward(100_000, 0)).toBe(0);
  });
});
