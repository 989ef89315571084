import type { InlineKeyboardButton } from 'telegraf/types';
import { GiftsErrorCode } from '../../../payments/gifts/gifts.errors';
import type { Plan } from '../../../subscriptions/plan';
import { CB } from './callback-data';
import { dateTime, money, t, texts, type Lang, type Screen } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';
import { planName, type PaymentMethods } from './plans.view';

export const GIFT_BUTTON = texts('button.gift');

export function giftPlans(plans: Plan[], currency: string, lang: Lang): Screen {
  const keyboard: InlineKeyboardButton[][] = plans.map((p) => [
    btn(
      t(lang, 'gift.planButton', {
        plan: planName(p, lang),
        price:
          p.prices[currency] !== undefined
            ? money(p.prices[currency], currency, lang)
            : money(p.starsPrice ?? 0, 'XTR', lang),
      }),
      CB.giftPlan(p.code),
    ),
  ]);
  keyboard.push(back(lang, CB.plans));
  return { text: t(lang, 'gift.plans'), keyboard };
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
        t(lang, 'button.fromBalance', { price: money(price, p.currency, lang) }),
        CB.giftBalance(p.plan.code),
      ),
    ]);
  if (p.methods.cryptoPay && price !== undefined)
    keyboard.push([btn(t(lang, 'button.payCrypto'), CB.giftCrypto(p.plan.code))]);
  if (p.methods.stars && p.plan.starsPrice)
    keyboard.push([
      btn(
        t(lang, 'button.payStars', { stars: money(p.plan.starsPrice, 'XTR', lang) }),
        CB.giftStars(p.plan.code),
      ),
    ]);
  keyboard.push(back(lang, CB.gift));
  const text = t(lang, 'gift.methods', {
    plan: planName(p.plan, lang),
    balance: money(p.balanceMinor, p.currency, lang),
  });
  return { text, keyboard };
}

export function confirmGiftBalance(
  p: { plan: Plan; priceMinor: number; balanceMinor: number; currency: string; nonce: string },
  lang: Lang,
): Screen {
  return {
    text: t(lang, 'gift.confirmBalance', {
      price: money(p.priceMinor, p.currency, lang),
      plan: planName(p.plan, lang),
      after: money(p.balanceMinor - p.priceMinor, p.currency, lang),
    }),
    keyboard: [
      [btn(t(lang, 'button.confirmPay'), CB.giftBalanceConfirm(p.plan.code, p.nonce))],
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
  const share = t(lang, 'gift.shareText', { days: p.days });
  const shareUrl = `https://t.me/share/url?url=${encodeURIComponent(p.link)}&text=${encodeURIComponent(share)}`;
  return {
    text: t(lang, 'gift.ready', { days: p.days, until: dateTime(p.expiresAt, lang), link: p.link }),
    keyboard: [
      [urlBtn(t(lang, 'button.share'), shareUrl)],
      [btn(t(lang, 'button.newLink'), CB.giftLink(p.giftId))],
      backToMenu(lang),
    ],
  };
}

export function giftReceived(p: { days: number; expiresAt: Date; issued: boolean }, lang: Lang): Screen {
  return {
    text: t(lang, p.issued ? 'gift.receivedNewKey' : 'gift.receivedExtended', {
      days: p.days,
      until: dateTime(p.expiresAt, lang),
    }),
    keyboard: [[btn(t(lang, 'button.sub'), CB.sub)], backToMenu(lang)],
  };
}

const REFUSALS: Record<GiftsErrorCode, string> = {
  [GiftsErrorCode.NotFound]: 'notFound',
  [GiftsErrorCode.AlreadyRedeemed]: 'alreadyRedeemed',
  [GiftsErrorCode.Expired]: 'expired',
  [GiftsErrorCode.Refunded]: 'refunded',
  [GiftsErrorCode.OwnGift]: 'ownGift',
};

export const giftRefused = (code: GiftsErrorCode, lang: Lang): Screen => ({
  text: t(lang, `gift.refusal.${REFUSALS[code]}`),
  keyboard: [backToMenu(lang)],
});

type Payload = Record<string, unknown>;

export const GIFT_NOTICES: Record<string, (p: Payload, lang: Lang) => string> = {
  gift_paid: (_p, l) => t(l, 'notify.giftPaid'),
  gift_redeemed: (p, l) =>
    typeof p.days === 'number' && p.days
      ? t(l, 'notify.giftRedeemedDays', { days: p.days })
      : t(l, 'notify.giftRedeemed'),
  gift_refunded: (p, l) =>
    typeof p.amountMinor === 'number' && typeof p.currency === 'string'
      ? t(l, 'notify.giftRefundedAmount', { amount: money(p.amountMinor, p.currency, l) })
      : t(l, 'notify.giftRefunded'),
};

export const giftLinkButton = (giftId: string, lang: Lang) => ({
  inline_keyboard: [[btn(t(lang, 'button.giftLink'), CB.giftLink(giftId))]],
});

export function giftStarsTexts(plan: Plan, lang: Lang): { title: string; description: string } {
  const name = planName(plan, lang);
  return {
    title: t(lang, 'gift.starsTitle', { plan: name }),
    description: t(lang, 'gift.starsDescription', { plan: name }),
  };
}

export const giftInvoiceTitle = (plan: Plan, lang: Lang) =>
  t(lang, 'gift.invoiceTitle', { plan: planName(plan, lang) });
