import { createHash, randomBytes } from 'node:crypto';
import type { GiftStatus } from './gift.entity';

export interface Gift {
  id: string;
  purchaseId: string;
  buyerId: number;
  planCode: string;
  days: number;
  refundMinor: number;
  status: GiftStatus;
  recipientId: number | null;
  /** A link was made (only its hash is kept). */
  hasLink: boolean;
  expiresAt: Date;
  redeemedAt: Date | null;
  refundedAt: Date | null;
  createdAt: Date;
}

export interface GiftRow {
  id: string;
  purchase_id: string;
  buyer_id: string;
  plan_code: string;
  days: number;
  refund_minor: string;
  status: GiftStatus;
  recipient_id: string | null;
  has_link: boolean;
  expires_at: Date;
  redeemed_at: Date | null;
  refunded_at: Date | null;
  created_at: Date;
}

export const GIFT_COLUMNS = `id, purchase_id, buyer_id, plan_code, days, refund_minor, status, recipient_id,
  token_hash IS NOT NULL AS has_link, expires_at, redeemed_at, refunded_at, created_at`;

export function toGift(r: GiftRow): Gift {
  return {
    id: r.id,
    purchaseId: r.purchase_id,
    buyerId: Number(r.buyer_id),
    planCode: r.plan_code,
    days: r.days,
    refundMinor: Number(r.refund_minor),
    status: r.status,
    recipientId: r.recipient_id === null ? null : Number(r.recipient_id),
    hasLink: r.has_link,
    expiresAt: r.expires_at,
    redeemedAt: r.redeemed_at,
    refundedAt: r.refunded_at,
    createdAt: r.created_at,
  };
}

/** 144 random bits, URL-safe (24 characters): fits a /start payload (`gift_` + token ≤ 64). */
export function newGiftToken(): string {
  return randomBytes(18).toString('base64url');
}

export const GIFT_TOKEN = /^[A-Za-z0-9_-]{24}$/;

/** Stored and compared as digests: a database read leaks no usable link and timing reveals nothing. */
export function giftTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
