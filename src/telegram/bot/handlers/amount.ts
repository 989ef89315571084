/** "250", "250.5", "250,50", "1 000", also in Persian or Arabic-Indic digits ("۲۵۰", "۲۵۰٫۵"); no expressions. */
export function parseAmountMinor(text: string): number | undefined {
  const compact = text
    .replace(/[\s\u00a0\u202f\u066c]/g, '')
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/\u066b/g, '.');
  const m = /^(\d{1,10})(?:[.,](\d{1,2}))?$/.exec(compact);
  if (!m) return undefined;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : undefined;
}
