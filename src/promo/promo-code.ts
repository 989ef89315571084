import type { PromoKind } from './promo-code.entity';

export interface PromoCode {
  id: string;
  code: string;
  kind: PromoKind;
  value: number;
  planCodes: string[] | null;
  maxUses: number | null;
  uses: number;
  startsAt: Date | null;
  endsAt: Date | null;
  newUsersOnly: boolean;
  firstPurchaseOnly: boolean;
  active: boolean;
  createdAt: Date;
}

export interface PromoCodeRow {
  id: string;
  code: string;
  kind: PromoKind;
  value: number;
  plan_codes: string[] | null;
  max_uses: number | null;
  uses: number;
  starts_at: Date | null;
  ends_at: Date | null;
  new_users_only: boolean;
  first_purchase_only: boolean;
  active: boolean;
  created_at: Date;
}

export const PROMO_COLUMNS = `id, code, kind, value, plan_codes, max_uses, uses, starts_at, ends_at, new_users_only,
  first_purchase_only, active, created_at`;

export function toPromoCode(r: PromoCodeRow): PromoCode {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    value: r.value,
    planCodes: r.plan_codes,
    maxUses: r.max_uses,
    uses: r.uses,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    newUsersOnly: r.new_users_only,
    firstPurchaseOnly: r.first_purchase_only,
    active: r.active,
    createdAt: r.created_at,
  };
}

/** Codes are 3–32 letters, digits, `_` or `-`, kept upper case (users may type any case). */
export const PROMO_CODE = /^[A-Z0-9_-]{3,32}$/;

/** The code as stored, or null when the text cannot be a code. */
export function normalizeCode(raw: string | undefined): string | null {
  const code = (raw ?? '').trim().toUpperCase();
  return PROMO_CODE.test(code) ? code : null;
}

/** Upper bounds of a code's value per kind (a typo must not hand out ten years or a fortune). */
export const PROMO_VALUE_MAX: Record<PromoKind, number> = {
  days: 3650,
  credit: 100_000_000,
  discount: 99,
  trial: 365,
};
