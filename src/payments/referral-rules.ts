import type { Plan } from '../subscriptions/plan';
import type { Purchase } from './purchase';

export type ReferralRewardMode = 'first' | 'all';

/** A top-up's credit, the price paid in the balance currency, or else the plan's list price in it. */
export function valueInBalanceCurrency(
  p: Pick<Purchase, 'kind' | 'amountMinor' | 'currency' | 'creditMinor'>,
  plan: Plan | null,
  balanceCurrency: string,
): number | null {
  if (p.kind === 'topup') return p.creditMinor ?? (p.currency === balanceCurrency ? p.amountMinor : null);
  if (p.currency === balanceCurrency) return p.amountMinor;
  return plan?.prices[balanceCurrency] ?? null;
}

/** Rounded down to whole minor units: a reward never exceeds the configured share. */
export function referralReward(valueMinor: number, percent: number): number {
  return Math.floor((valueMinor * percent) / 100);
}
