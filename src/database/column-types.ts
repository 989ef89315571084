import type { ValueTransformer } from 'typeorm';

/** pg returns int8 as a string; ids and minor units stay below 2^53, and anything larger is refused. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => {
    if (v === null || v === undefined) return v;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds Number.MAX_SAFE_INTEGER`);
    return n;
  },
};

export function oneOf(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
