import type { PlanConfig } from '../config/config.schema';
import { SubscriptionsError, SubscriptionsErrorCode } from './subscriptions.errors';

/** Telegram Stars: prices are whole stars, kept apart from the fiat price list. */
export const STARS_CURRENCY = 'XTR';

export interface Plan {
  code: string;
  durationDays: number;
  prices: Record<string, number>;
  starsPrice: number | null;
  enabled: boolean;
  sortOrder: number;
}

export function plansFromConfig(configured: PlanConfig[]): Plan[] {
  return configured.map((p, i) => ({
    code: p.code,
    durationDays: p.days,
    prices: { ...p.prices },
    starsPrice: p.stars ?? null,
    enabled: p.enabled,
    sortOrder: i,
  }));
}

export function priceOf(plan: Plan, currency: string): number {
  const price = currency === STARS_CURRENCY ? plan.starsPrice : plan.prices[currency];
  if (price == null)
    throw new SubscriptionsError(
      SubscriptionsErrorCode.PlanNotPriced,
      `plan ${plan.code} has no price in ${currency}`,
    );
  return price;
}
