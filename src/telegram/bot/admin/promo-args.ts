import type { PromoKind } from '../../../promo/promo-code.entity';
import { promoKinds } from '../../../promo/promo-code.entity';
import type { PromoSpec } from '../../../promo/promo-admin.service';
import { normalizeCode } from '../../../promo/promo-code';
import { parseAmountMinor } from '../handlers/amount';
import { ta } from '../../../i18n/translate';

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

export function parsePromo(args: string[]): PromoCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || (sub.toLowerCase() === 'list' && rest.length === 0)) return { kind: 'list' };
  if (sub.toLowerCase() === 'off') {
    const code = rest.length === 1 ? normalizeCode(rest[0]) : null;
    return code ? { kind: 'off', code } : { kind: 'error', message: ta('usage.promoOff') };
  }
  if (sub.toLowerCase() !== 'new') {
    const code = rest.length === 0 ? normalizeCode(sub) : null;
    return code
      ? { kind: 'show', code }
      : { kind: 'error', message: ta('promo.args.unknownCommand', { sub }) };
  }
  if (rest.length < 3) return { kind: 'error', message: ta('promo.args.notEnough') };
  const [rawCode, rawKind, rawValue, ...options] = rest;
  const code = normalizeCode(rawCode);
  if (!code) return { kind: 'error', message: ta('promo.args.notACode', { code: rawCode }) };
  const kind = rawKind.toLowerCase() as PromoKind;
  if (!promoKinds.includes(kind))
    return {
      kind: 'error',
      message: ta('promo.args.unknownKind', { kind: rawKind, kinds: promoKinds.join(', ') }),
    };
  const value = parseValue(kind, rawValue);
  if (value === null)
    return {
      kind: 'error',
      message: ta('promo.args.badValue', { value: rawValue, help: ta(`promo.args.help.${kind}`) }),
    };
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
  if (!m) return ta('promo.args.unknownOption', { option });
  const [, name, value] = m;
  switch (name.toLowerCase()) {
    case 'uses':
      if (!/^\d{1,7}$/.test(value) || Number(value) < 1) return ta('promo.args.uses', { value });
      spec.maxUses = Number(value);
      return;
    case 'from':
      spec.startsAt = parseDay(value);
      return spec.startsAt ? undefined : ta('promo.args.from', { value });
    case 'until':
      spec.endsAt = parseDay(value, true);
      return spec.endsAt ? undefined : ta('promo.args.until', { value });
    case 'plans': {
      const plans = value.split(',').filter(Boolean);
      if (!plans.length || plans.some((p) => !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(p)))
        return ta('promo.args.plans', { value });
      spec.planCodes = plans;
      return;
    }
    default:
      return ta('promo.args.unknownOption', { option: `${name}=` });
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
  return { kind: 'error', message: ta('usage.gift') };
}
