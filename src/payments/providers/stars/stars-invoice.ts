import { STARS_CURRENCY } from '../../../subscriptions/plan';

/** Bot API limits of sendInvoice / createInvoiceLink. */
export const TITLE_MAX = 32;
export const DESCRIPTION_MAX = 255;
export const PAYLOAD_MAX_BYTES = 128;

export interface StarsInvoice {
  title: string;
  description: string;
  payload: string;
  /** "Pass an empty string for payments in Telegram Stars". */
  provider_token: '';
  currency: typeof STARS_CURRENCY;
  prices: [{ label: string; amount: number }];
}

export function starsInvoice(i: {
  title: string;
  description: string;
  payload: string;
  stars: number;
}): StarsInvoice {
  if (!Number.isSafeInteger(i.stars) || i.stars <= 0)
    throw new RangeError(`a Stars price is a positive whole number, got ${i.stars}`);
  if (Buffer.byteLength(i.payload) > PAYLOAD_MAX_BYTES)
    throw new RangeError('invoice payload is over 128 bytes');
  const title = clip(i.title, TITLE_MAX);
  return {
    title,
    description: clip(i.description, DESCRIPTION_MAX),
    payload: i.payload,
    provider_token: '',
    currency: STARS_CURRENCY,
    prices: [{ label: title, amount: i.stars }],
  };
}

/** Shortens to `max` characters (code points, so no emoji is cut in half); never returns an empty string. */
export function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  if (chars.length === 0) return '…';
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
