/** Decimal strings at the boundary, integer minor units inside: string arithmetic, never a float. */

/** Fiat currencies Crypto Pay accepts for `currency_type: fiat`; all have 2 minor digits (ISO 4217). */
export const CRYPTO_PAY_FIATS: ReadonlySet<string> = new Set(
  'USD EUR RUB BYN UAH GBP CNY KZT UZS GEL TRY AMD THB INR BRL IDR AZN AED PLN ILS KGS TJS'.split(' '),
);
const MINOR_DIGITS = 2;

export function isCryptoPayFiat(currency: string): boolean {
  return CRYPTO_PAY_FIATS.has(currency);
}

export function minorToDecimalString(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor <= 0)
    throw new RangeError(`amount must be a positive whole number of minor units, got ${minor}`);
  const s = String(minor).padStart(MINOR_DIGITS + 1, '0');
  return `${s.slice(0, -MINOR_DIGITS)}.${s.slice(-MINOR_DIGITS)}`;
}

/** "199", "199.5", "199.50" → 19950; null when malformed or finer than a minor unit. */
export function decimalStringToMinor(amount: string): number | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return null;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > MINOR_DIGITS) return null;
  const minor = Number(m[1] + fraction.padEnd(MINOR_DIGITS, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}
