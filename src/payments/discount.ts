import { PaymentsError, PaymentsErrorCode } from './payments.errors';

/** A promo discount a purchase spends: the redemption that granted it and its percent (1–99). */
export interface PurchaseDiscount {
  redemptionId: string;
  percent: number;
}

/** The price after `percent` off, rounded to the nearest minor unit (whole star) and never below one. */
export function discountedPrice(priceMinor: number, percent: number | null | undefined): number {
  if (!percent) return priceMinor;
  if (!Number.isInteger(percent) || percent < 1 || percent > 99)
    throw new PaymentsError(PaymentsErrorCode.InvalidAmount, `a discount of ${percent}% is not possible`);
  return Math.max(1, Math.round((priceMinor * (100 - percent)) / 100));
}

const PROMO_INDEX = 'purchases_promo_redemption_uq';

/** The insert hit the one-live-purchase-per-discount index: another purchase holds the discount. */
export function isDiscountTaken(err: unknown): boolean {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const d = e.driverError ?? e;
  return d.code === '23505' && d.constraint === PROMO_INDEX;
}
