import type { RedeemResult } from '../../../promo/promo.service';
import { PromoErrorCode } from '../../../promo/promo.errors';
import { CB } from './callback-data';
import { dateTime, esc, money, type Lang, type Screen, type Texts } from './i18n';
import { backToMenu, btn } from './menu.view';

/** Texts of promo-code entry (the user types a code in reply to the prompt, or opens /start promo_<CODE>). */

export const PROMO_BUTTON: Texts = { en: '🎟 Promo code', ru: '🎟 Промокод' };

/** The ForceReply prompt; a reply whose quoted text starts with it is a code. */
export const promoPrompt: Texts = {
  en: '🎟 Send your promo code in reply to this message',
  ru: '🎟 Отправьте промокод ответом на это сообщение',
};

export const promoPromptText = (lang: Lang) => `${promoPrompt[lang]}:`;

const sub = (lang: Lang) => [btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)];
const plans = (lang: Lang) => [btn(lang === 'ru' ? '🛒 Тарифы' : '🛒 Plans', CB.plans)];

export function promoRedeemed(r: RedeemResult, currency: string, lang: Lang): Screen {
  const code = `<b>${esc(r.code.code)}</b>`;
  switch (r.kind) {
    case 'days': {
      const until = dateTime(r.subscription.expiresAt, lang);
      return {
        text: {
          en: `✅ Promo code ${code} applied: +${r.days} days of VPN.\nAccess until <b>${until}</b>.`,
          ru: `✅ Промокод ${code} применён: +${r.days} дн. VPN.\nДоступ до <b>${until}</b>.`,
        }[lang],
        keyboard: [sub(lang), backToMenu(lang)],
      };
    }
    case 'credit':
      return {
        text: {
          en: `✅ Promo code ${code} applied: ${money(r.amountMinor, currency, lang)} added to your balance.\nBalance: ${money(r.balanceAfter, currency, lang)}`,
          ru: `✅ Промокод ${code} применён: на баланс зачислено ${money(r.amountMinor, currency, lang)}.\nБаланс: ${money(r.balanceAfter, currency, lang)}`,
        }[lang],
        keyboard: [plans(lang), backToMenu(lang)],
      };
    case 'discount': {
      const only = r.planCodes ? ` (${r.planCodes.map(esc).join(', ')})` : '';
      return {
        text: {
          en: `✅ Promo code ${code} applied: ${r.percent}% off your next plan${only}.\nThe prices below already include it.`,
          ru: `✅ Промокод ${code} применён: скидка ${r.percent}% на следующую покупку тарифа${only}.\nЦены ниже уже со скидкой.`,
        }[lang],
        keyboard: [plans(lang), backToMenu(lang)],
      };
    }
    case 'trial': {
      const until = dateTime(r.subscription.expiresAt, lang);
      return {
        text: {
          en: `✅ Promo code ${code} applied: your ${r.days}-day free trial has started.\nAccess until <b>${until}</b>.`,
          ru: `✅ Промокод ${code} применён: пробный период на ${r.days} дн. начался.\nДоступ до <b>${until}</b>.`,
        }[lang],
        keyboard: [sub(lang), backToMenu(lang)],
      };
    }
  }
}

const REFUSALS: Partial<Record<PromoErrorCode, Texts>> = {
  [PromoErrorCode.Unknown]: {
    en: '❌ There is no such promo code. Check the spelling and try again.',
    ru: '❌ Такого промокода нет. Проверьте написание и попробуйте ещё раз.',
  },
  [PromoErrorCode.Inactive]: {
    en: '❌ This promo code is no longer active.',
    ru: '❌ Этот промокод больше не действует.',
  },
  [PromoErrorCode.NotStarted]: {
    en: '⏳ This promo code is not active yet. Try again later.',
    ru: '⏳ Этот промокод ещё не действует. Попробуйте позже.',
  },
  [PromoErrorCode.Expired]: {
    en: '⌛ This promo code has expired.',
    ru: '⌛ Срок действия промокода истёк.',
  },
  [PromoErrorCode.UsedUp]: {
    en: '😔 This promo code has been used up: all its uses are taken.',
    ru: '😔 Промокод закончился: все активации уже использованы.',
  },
  [PromoErrorCode.AlreadyUsed]: {
    en: 'ℹ️ You have already used this promo code.',
    ru: 'ℹ️ Вы уже использовали этот промокод.',
  },
  [PromoErrorCode.NewUsersOnly]: {
    en: '❌ This promo code is for new users only.',
    ru: '❌ Этот промокод — только для новых пользователей.',
  },
  [PromoErrorCode.FirstPurchaseOnly]: {
    en: '❌ This promo code is for a first purchase only.',
    ru: '❌ Этот промокод — только для первой покупки.',
  },
  [PromoErrorCode.TrialNotAvailable]: {
    en: '❌ This code gives a free trial, which is only for users who have not had a trial or a subscription.',
    ru: '❌ Этот код даёт пробный период, а он только для тех, у кого ещё не было пробного периода или подписки.',
  },
};

export function promoRefused(code: PromoErrorCode, lang: Lang): Screen | undefined {
  const text = REFUSALS[code]?.[lang];
  if (!text) return undefined;
  return { text, keyboard: [[btn(PROMO_BUTTON[lang], CB.promo)], backToMenu(lang)] };
}

/** A reply to the prompt that cannot be a code (too long, spaces, symbols): nothing is looked up. */
export function notACode(text: string, lang: Lang): string {
  const shown = esc(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return lang === 'ru'
    ? `«${shown}» — не похоже на промокод: 3–32 латинские буквы, цифры, _ или -. Отправьте код ещё раз.`
    : `"${shown}" does not look like a promo code: 3–32 letters, digits, _ or -. Please send the code again.`;
}

export const discountTaken: Texts = {
  en: 'Your promo discount is held by an unpaid invoice. Pay that invoice, or wait until it expires and try again.',
  ru: 'Ваша скидка по промокоду закреплена за неоплаченным счётом. Оплатите его или дождитесь, пока он истечёт, и попробуйте снова.',
};

export const discountNote = (percent: number, lang: Lang) =>
  lang === 'ru' ? `🎟 Скидка по промокоду: −${percent}%` : `🎟 Promo discount: −${percent}%`;
