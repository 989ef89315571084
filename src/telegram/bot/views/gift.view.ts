import type { InlineKeyboardButton } from 'telegraf/types';
import { GiftsErrorCode } from '../../../payments/gifts/gifts.errors';
import type { Plan } from '../../../subscriptions/plan';
import { CB } from './callback-data';
import { dateTime, esc, money, type Lang, type Screen, type Texts } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';
import { planName, type PaymentMethods } from './plans.view';

/** Texts of gift subscriptions: buying one, its link and Share button, redeeming it, and its notices. */

export const GIFT_BUTTON: Texts = { en: '🎁 Gift', ru: '🎁 Подарить' };

export function giftPlans(plans: Plan[], currency: string, lang: Lang): Screen {
  const keyboard: InlineKeyboardButton[][] = plans.map((p) => [
    btn(
      `🎁 ${planName(p, lang)} — ${p.prices[currency] !== undefined ? money(p.prices[currency], currency, lang) : money(p.starsPrice ?? 0, 'XTR', lang)}`,
      CB.giftPlan(p.code),
    ),
  ]);
  keyboard.push(back(lang, CB.plans));
  return {
    text: {
      en: '🎁 <b>Gift a subscription</b>\nChoose a period. After payment you get a link for your friend: whoever opens it first gets the VPN.',
      ru: '🎁 <b>Подарить подписку</b>\nВыберите срок. После оплаты вы получите ссылку для друга: кто первым её откроет, получит VPN.',
    }[lang],
    keyboard,
  };
}

export function giftMethods(
  p: { plan: Plan; currency: string; methods: PaymentMethods; balanceMinor: number },
  lang: Lang,
): Screen {
  const price = p.plan.prices[p.currency];
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.methods.balance && price !== undefined)
    keyboard.push([
      btn(
        `${lang === 'ru' ? '💰 С баланса' : '💰 From balance'} (${money(price, p.currency, lang)})`,
        CB.giftBalance(p.plan.code),
      ),
    ]);
  if (p.methods.cryptoPay && price !== undefined)
    keyboard.push([
      btn(
        lang === 'ru' ? '💎 Криптовалютой (Crypto Pay)' : '💎 Crypto (Crypto Pay)',
        CB.giftCrypto(p.plan.code),
      ),
    ]);
  if (p.methods.stars && p.plan.starsPrice)
    keyboard.push([
      btn(`⭐ Telegram Stars (${money(p.plan.starsPrice, 'XTR', lang)})`, CB.giftStars(p.plan.code)),
    ]);
  keyboard.push(back(lang, CB.gift));
  return {
    text: {
      en: `🎁 <b>Gift: ${planName(p.plan, lang)}</b>\nYour balance: ${money(p.balanceMinor, p.currency, lang)}\n\nChoose how to pay:`,
      ru: `🎁 <b>Подарок: ${planName(p.plan, lang)}</b>\nВаш баланс: ${money(p.balanceMinor, p.currency, lang)}\n\nВыберите способ оплаты:`,
    }[lang],
    keyboard,
  };
}

export function confirmGiftBalance(
  p: { plan: Plan; priceMinor: number; balanceMinor: number; currency: string; nonce: string },
  lang: Lang,
): Screen {
  const price = money(p.priceMinor, p.currency, lang);
  return {
    text: {
      en: `Pay <b>${price}</b> from your balance for a gift of <b>${planName(p.plan, lang)}</b>?\nBalance after payment: ${money(p.balanceMinor - p.priceMinor, p.currency, lang)}`,
      ru: `Оплатить <b>${price}</b> с баланса за подарок на <b>${planName(p.plan, lang)}</b>?\nБаланс после оплаты: ${money(p.balanceMinor - p.priceMinor, p.currency, lang)}`,
    }[lang],
    keyboard: [
      [btn(lang === 'ru' ? '✅ Оплатить' : '✅ Pay', CB.giftBalanceConfirm(p.plan.code, p.nonce))],
      back(lang, CB.giftPlan(p.plan.code)),
    ],
  };
}

export const giftLinkOf = (botUsername: string, token: string) =>
  `https://t.me/${botUsername}?start=gift_${token}`;

/** The link (shown once: only its hash is kept) with a Share button; "New link" replaces it. */
export function giftReady(
  p: { giftId: string; link: string; days: number; expiresAt: Date },
  lang: Lang,
): Screen {
  const share = {
    en: `🎁 A VPN gift for you: ${p.days} days. Open the link to get it:`,
    ru: `🎁 Дарю тебе VPN на ${p.days} дн. Открой ссылку, чтобы получить:`,
  }[lang];
  const shareUrl = `https://t.me/share/url?url=${encodeURIComponent(p.link)}&text=${encodeURIComponent(share)}`;
  return {
    text: {
      en: `🎁 <b>Your gift is ready</b> (${p.days} days of VPN).\n\nSend this link to your friend — it works once, until ${dateTime(p.expiresAt, lang)}:\n<code>${esc(p.link)}</code>\n\nIf nobody redeems it by then, its price goes back to your balance. "New link" makes the old link stop working.`,
      ru: `🎁 <b>Подарок готов</b> (${p.days} дн. VPN).\n\nОтправьте эту ссылку другу — она сработает один раз, до ${dateTime(p.expiresAt, lang)}:\n<code>${esc(p.link)}</code>\n\nЕсли до этого срока подарок не активируют, его стоимость вернётся на ваш баланс. «Новая ссылка» отключает старую.`,
    }[lang],
    keyboard: [
      [urlBtn(lang === 'ru' ? '📤 Поделиться' : '📤 Share', shareUrl)],
      [btn(lang === 'ru' ? '🔄 Новая ссылка' : '🔄 New link', CB.giftLink(p.giftId))],
      backToMenu(lang),
    ],
  };
}

export function giftReceived(p: { days: number; expiresAt: Date; issued: boolean }, lang: Lang): Screen {
  const until = dateTime(p.expiresAt, lang);
  return {
    text: {
      en: `🎉 <b>You received a gift</b>: ${p.days} days of VPN!\n${p.issued ? 'Your key is being prepared and arrives in a moment.' : 'Your subscription was extended.'}\nAccess until <b>${until}</b>.`,
      ru: `🎉 <b>Вам подарок</b>: ${p.days} дн. VPN!\n${p.issued ? 'Ключ готовится и придёт через мгновение.' : 'Ваша подписка продлена.'}\nДоступ до <b>${until}</b>.`,
    }[lang],
    keyboard: [[btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)], backToMenu(lang)],
  };
}

const REFUSALS: Record<GiftsErrorCode, Texts> = {
  [GiftsErrorCode.NotFound]: {
    en: '❌ This gift link is not valid (it may have been replaced by a newer one).',
    ru: '❌ Эта ссылка на подарок недействительна (возможно, её заменили новой).',
  },
  [GiftsErrorCode.AlreadyRedeemed]: {
    en: 'ℹ️ This gift has already been redeemed.',
    ru: 'ℹ️ Этот подарок уже активирован.',
  },
  [GiftsErrorCode.Expired]: { en: '⌛ This gift link has expired.', ru: '⌛ Срок действия подарка истёк.' },
  [GiftsErrorCode.Refunded]: {
    en: '❌ This gift was cancelled and refunded.',
    ru: '❌ Этот подарок отменён, деньги возвращены.',
  },
  [GiftsErrorCode.OwnGift]: {
    en: '🎁 This is your own gift — send the link to a friend instead.',
    ru: '🎁 Это ваш собственный подарок — отправьте ссылку другу.',
  },
};

export const giftRefused = (code: GiftsErrorCode, lang: Lang): Screen => ({
  text: REFUSALS[code][lang],
  keyboard: [backToMenu(lang)],
});

type Payload = Record<string, unknown>;
const days = (p: Payload) => (typeof p.days === 'number' ? p.days : undefined);

/** Notification texts of the gift kinds (rendered by notification.view). */
export const GIFT_NOTICES: Record<string, Record<Lang, (p: Payload, lang: Lang) => string>> = {
  gift_paid: {
    en: () => '🎁 Your gift is paid. Tap the button to get the link for your friend.',
    ru: () => '🎁 Подарок оплачен. Нажмите кнопку, чтобы получить ссылку для друга.',
  },
  gift_redeemed: {
    en: (p) => `🎉 Your gift${days(p) ? ` (${days(p)} days)` : ''} was redeemed by your friend.`,
    ru: (p) => `🎉 Ваш подарок${days(p) ? ` (${days(p)} дн.)` : ''} активирован другом.`,
  },
  gift_refunded: {
    en: (p, l) =>
      `↩️ Your gift was not redeemed${typeof p.amountMinor === 'number' && typeof p.currency === 'string' ? `: ${money(p.amountMinor, p.currency, l)} went back to your balance` : ''}.`,
    ru: (p, l) =>
      `↩️ Подарок не активирован${typeof p.amountMinor === 'number' && typeof p.currency === 'string' ? `: ${money(p.amountMinor, p.currency, l)} возвращено на баланс` : ''}.`,
  },
};

export const giftLinkButton = (giftId: string, lang: Lang) => ({
  inline_keyboard: [[btn(lang === 'ru' ? '🔗 Получить ссылку' : '🔗 Get the link', CB.giftLink(giftId))]],
});

export function giftStarsTexts(plan: Plan, lang: Lang): { title: string; description: string } {
  return lang === 'ru'
    ? {
        title: `Подарок: VPN на ${planName(plan, lang)}`,
        description: `Подарок другу: доступ к VPN на ${planName(plan, lang)}. Ссылка для друга придёт после оплаты.`,
      }
    : {
        title: `Gift: VPN for ${planName(plan, lang)}`,
        description: `A gift for a friend: VPN access for ${planName(plan, lang)}. The link for your friend arrives after payment.`,
      };
}

export const giftInvoiceTitle = (plan: Plan, lang: Lang) =>
  lang === 'ru' ? `Подарок: VPN — ${planName(plan, lang)}` : `Gift: VPN — ${planName(plan, lang)}`;
