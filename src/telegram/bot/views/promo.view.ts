import type { RedeemResult } from '../../../promo/promo.service';
import { PromoErrorCode } from '../../../promo/promo.errors';
import { CB } from './callback-data';
import { dateTime, money, t, texts, type Lang, type Screen } from './i18n';
import { backToMenu, btn } from './menu.view';

export const PROMO_BUTTON = texts('button.promo');

/** The ForceReply prompt; a reply whose quoted text starts with it is a code. */
export const promoPrompt = texts('promo.prompt');

export const promoPromptText = (lang: Lang) => `${promoPrompt[lang]}:`;

const sub = (lang: Lang) => [btn(t(lang, 'button.sub'), CB.sub)];
const plans = (lang: Lang) => [btn(t(lang, 'button.plansShort'), CB.plans)];

export function promoRedeemed(r: RedeemResult, currency: string, lang: Lang): Screen {
  const code = r.code.code;
  switch (r.kind) {
    case 'days':
      return {
        text: t(lang, 'promo.days', {
          code,
          days: r.days,
          until: dateTime(r.subscription.expiresAt, lang),
        }),
        keyboard: [sub(lang), backToMenu(lang)],
      };
    case 'credit':
      return {
        text: t(lang, 'promo.credit', {
          code,
          amount: money(r.amountMinor, currency, lang),
          balance: money(r.balanceAfter, currency, lang),
        }),
        keyboard: [plans(lang), backToMenu(lang)],
      };
    case 'discount':
      return {
        text: t(lang, 'promo.discount', {
          code,
          percent: r.percent,
          plans: r.planCodes ? ` (${r.planCodes.join(', ')})` : '',
        }),
        keyboard: [plans(lang), backToMenu(lang)],
      };
    case 'trial':
      return {
        text: t(lang, 'promo.trial', {
          code,
          days: r.days,
          until: dateTime(r.subscription.expiresAt, lang),
        }),
        keyboard: [sub(lang), backToMenu(lang)],
      };
  }
}

/** `PromoErrorCode` → key under `promo.refusal` (admin-only codes have none). */
const REFUSALS: Partial<Record<PromoErrorCode, string>> = {
  [PromoErrorCode.Unknown]: 'unknown',
  [PromoErrorCode.Inactive]: 'inactive',
  [PromoErrorCode.NotStarted]: 'notStarted',
  [PromoErrorCode.Expired]: 'expired',
  [PromoErrorCode.UsedUp]: 'usedUp',
  [PromoErrorCode.AlreadyUsed]: 'alreadyUsed',
  [PromoErrorCode.NewUsersOnly]: 'newUsersOnly',
  [PromoErrorCode.FirstPurchaseOnly]: 'firstPurchaseOnly',
  [PromoErrorCode.TrialNotAvailable]: 'trialNotAvailable',
};

export function promoRefused(code: PromoErrorCode, lang: Lang): Screen | undefined {
  const key = REFUSALS[code];
  if (!key) return undefined;
  return {
    text: t(lang, `promo.refusal.${key}`),
    keyboard: [[btn(PROMO_BUTTON[lang], CB.promo)], backToMenu(lang)],
  };
}

/** A reply to the prompt that cannot be a code (too long, spaces, symbols): nothing is looked up. */
export function notACode(text: string, lang: Lang): string {
  return t(lang, 'promo.notACode', { text: text.length > 40 ? `${text.slice(0, 40)}…` : text });
}

export const discountTaken = texts('promo.discountTaken');

export const discountNote = (percent: number, lang: Lang) => t(lang, 'promo.discountNote', { percent });
