/** "250", "250.5", "250,50", "1 000"; no expressions, signs, exponents or currency words. */
export function parseAmountMinor(text: string): number | undefined {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '');
  const m = /^(\d{1,10})(?:[.,](\d{1,2}))?$/.exec(compact);
  if (!m) return undefined;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : undefined;
}
