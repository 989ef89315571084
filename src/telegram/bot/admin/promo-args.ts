import type { PromoKind } from '../../../promo/promo-code.entity';
import { promoKinds } from '../../../promo/promo-code.entity';
import type { PromoSpec } from '../../../promo/promo-admin.service';
import { normalizeCode } from '../../../promo/promo-code';
import { parseAmountMinor } from '../handlers/amount';

/** `/promo …` parsed strictly; every refusal says what was wrong. */
export type PromoCommand =
  | { kind: 'list' }
  | { kind: 'show'; code: string }
  | { kind: 'off'; code: string }
  | { kind: 'new'; spec: PromoSpec }
  | { kind: 'error'; message: string };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A UTC calendar day; `endOfDay`: the moment the day is over (so `until=` includes that day). */
export function parseDay(raw: string, endOfDay = false): Date | null {
  const m = DATE.exec(raw);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (
    d.getUTCFullYear() !== Number(m[1]) ||
    d.getUTCMonth() !== Number(m[2]) - 1 ||
    d.getUTCDate() !== Number(m[3])
  )
    return null;
  return endOfDay ? new Date(d.getTime() + DAY_MS) : d;
}

function parseValue(kind: PromoKind, raw: string): number | null {
  if (kind === 'credit') return parseAmountMinor(raw) ?? null;
  const m = (kind === 'discount' ? /^(\d{1,2})%?$/ : /^(\d{1,4})$/).exec(raw);
  return m && Number(m[1]) > 0 ? Number(m[1]) : null;
}

const VALUE_HELP: Record<PromoKind, string> = {
  days: 'days: whole days of access, e.g. 7',
  credit: 'credit: an amount of the balance currency, e.g. 100 or 99.50',
  discount: 'discount: a percent from 1 to 99, e.g. 20 or 20%',
  trial: 'trial: the length of the trial in days, e.g. 14',
};

export function parsePromo(args: string[]): PromoCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || (sub.toLowerCase() === 'list' && rest.length === 0)) return { kind: 'list' };
  if (sub.toLowerCase() === 'off') {
    const code = rest.length === 1 ? normalizeCode(rest[0]) : null;
    return code ? { kind: 'off', code } : { kind: 'error', message: 'Usage: /promo off <CODE>' };
  }
  if (sub.toLowerCase() !== 'new') {
    const code = rest.length === 0 ? normalizeCode(sub) : null;
    return code ? { kind: 'show', code } : { kind: 'error', message: `Unknown /promo command "${sub}".` };
  }
  if (rest.length < 3)
    return { kind: 'error', message: 'Not enough arguments: /promo new <CODE> <kind> <value> …' };
  const [rawCode, rawKind, rawValue, ...options] = rest;
  const code = normalizeCode(rawCode);
  if (!code) return { kind: 'error', message: `"${rawCode}" is not a code: 3–32 letters, digits, _ or -.` };
  const kind = rawKind.toLowerCase() as PromoKind;
  if (!promoKinds.includes(kind))
    return { kind: 'error', message: `Unknown kind "${rawKind}": one of ${promoKinds.join(', ')}.` };
  const value = parseValue(kind, rawValue);
  if (value === null) return { kind: 'error', message: `Bad value "${rawValue}" for ${VALUE_HELP[kind]}.` };
  const spec: PromoSpec = { code, kind, value };
  for (const option of options) {
    const error = applyOption(spec, option);
    if (error) return { kind: 'error', message: error };
  }
  return { kind: 'new', spec };
}

/** An error message, or undefined when the option was applied. */
function applyOption(spec: PromoSpec, option: string): string | undefined {
  const flag = option.toLowerCase();
  if (flag === 'new') return void (spec.newUsersOnly = true);
  if (flag === 'first') return void (spec.firstPurchaseOnly = true);
  const m = /^([a-z]+)=(.+)$/i.exec(option);
  if (!m) return `Unknown option "${option}".`;
  const [, name, value] = m;
  switch (name.toLowerCase()) {
    case 'uses':
      if (!/^\d{1,7}$/.test(value) || Number(value) < 1)
        return `uses= needs a whole number from 1, not "${value}".`;
      spec.maxUses = Number(value);
      return;
    case 'from':
      spec.startsAt = parseDay(value);
      return spec.startsAt ? undefined : `from= needs a date YYYY-MM-DD, not "${value}".`;
    case 'until':
      spec.endsAt = parseDay(value, true);
      return spec.endsAt ? undefined : `until= needs a date YYYY-MM-DD, not "${value}".`;
    case 'plans': {
      const plans = value.split(',').filter(Boolean);
      if (!plans.length || plans.some((p) => !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(p)))
        return `plans= needs plan codes separated by commas, e.g. plans=1m,3m, not "${value}".`;
      spec.planCodes = plans;
      return;
    }
    default:
      return `Unknown option "${name}=".`;
  }
}

export function parseGiftCommand(
  args: string[],
): { kind: 'show'; id: string } | { kind: 'refund'; id: string } | { kind: 'error'; message: string } {
  const uuid = (v: string | undefined) =>
    v && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v.toLowerCase() : null;
  if (args.length === 1 && uuid(args[0])) return { kind: 'show', id: uuid(args[0])! };
  if (args.length === 2 && args[0].toLowerCase() === 'refund' && uuid(args[1]))
    return { kind: 'refund', id: uuid(args[1])! };
  return {
    kind: 'error',
    message: 'Usage: /gift <gift id>, /gift refund <gift id> (ids as /gifts lists them)',
  };
}
