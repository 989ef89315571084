import type { ValueTransformer } from 'typeorm';

/**
 * pg returns int8 as a string to avoid precision loss. Telegram ids and money in minor units stay far below
 * 2^53, so they are safe as JS numbers; anything larger is refused rather than silently rounded.
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => {
    if (v === null || v === undefined) return v;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds Number.MAX_SAFE_INTEGER`);
    return n;
  },
};

/** SQL list literal for CHECK constraints over a text column holding one of `values`. */
export function oneOf(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
