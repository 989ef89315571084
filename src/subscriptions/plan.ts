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
  deviceLimit: number | null;
  trafficLimitBytes: number | null;
  trafficReset: TrafficReset;
}

export type TrafficReset = 'period' | 'monthly';

/** GB as the plans are configured: 2^30 bytes, what most VPN apps display as a GB. */
export const BYTES_PER_GB = 1024 ** 3;

export function gbToBytes(gb: number | undefined): number | null {
  return gb === undefined ? null : Math.max(1, Math.round(gb * BYTES_PER_GB));
}

export function plansFromConfig(configured: PlanConfig[]): Plan[] {
  return configured.map((p, i) => ({
    code: p.code,
    durationDays: p.days,
    prices: { ...p.prices },
    starsPrice: p.stars ?? null,
    enabled: p.enabled,
    sortOrder: i,
    deviceLimit: p.devices ?? null,
    trafficLimitBytes: gbToBytes(p.trafficGb),
    trafficReset: p.trafficReset,
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
