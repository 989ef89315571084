import type { InlineKeyboardButton } from 'telegraf/types';
import type { Plan } from '../../../subscriptions/plan';
import { CB } from './callback-data';
import { dateTime, money, t, texts, type Lang, type Screen, type Texts } from './i18n';
import { discountedPrice } from '../../../payments/discount';
import { back, backToMenu, btn, urlBtn } from './menu.view';
import { discountNote } from './promo.view';

/** "1 month", "3 месяца": whole years or months when the duration is one, else days (plural by Intl). */
export const planName = (p: Plan, lang: Lang): string => {
  const d = p.durationDays;
  if (d % 365 === 0) return t(lang, 'plan.years', { count: d / 365 });
  if (d % 30 === 0 && d < 365) return t(lang, 'plan.months', { count: d / 30 });
  return t(lang, 'plan.days', { count: d });
};

export function planList(plans: Plan[], currency: string, lang: Lang): Screen {
  const lines = plans.map((p) => {
    const price = p.prices[currency] !== undefined ? money(p.prices[currency], currency, lang) : '';
    const plan = planName(p, lang);
    return p.starsPrice
      ? t(lang, 'plans.lineWithStars', { plan, price, stars: money(p.starsPrice, 'XTR', lang) })
      : t(lang, 'plans.line', { plan, price });
  });
  const keyboard: InlineKeyboardButton[][] = plans.map((p) => [
    btn(
      t(lang, 'button.planPrice', {
        plan: planName(p, lang),
        price:
          p.prices[currency] !== undefined
            ? money(p.prices[currency], currency, lang)
            : money(p.starsPrice ?? 0, 'XTR', lang),
      }),
      CB.plan(p.code),
    ),
  ]);
  keyboard.push(backToMenu(lang));
  const text = plans.length ? `${t(lang, 'plans.head')}\n\n${lines.join('\n')}` : t(lang, 'plans.none');
  return { text, keyboard };
}

export interface PaymentMethods {
  balance: boolean;
  cryptoPay: boolean;
  stars: boolean;
}

export function paymentMethods(
  p: {
    plan: Plan;
    currency: string;
    methods: PaymentMethods;
    balanceMinor: number;
    /** A promo discount the user holds: the prices shown include it. */
    discountPercent?: number;
  },
  lang: Lang,
): Screen {
  const listed = p.plan.prices[p.currency];
  const price = listed === undefined ? undefined : discountedPrice(listed, p.discountPercent);
  const stars = p.plan.starsPrice ? discountedPrice(p.plan.starsPrice, p.discountPercent) : null;
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.methods.balance && price !== undefined)
    keyboard.push([
      btn(
        t(lang, 'button.fromBalance', { price: money(price, p.currency, lang) }),
        CB.payBalance(p.plan.code),
      ),
    ]);
  if (p.methods.cryptoPay && price !== undefined)
    keyboard.push([btn(t(lang, 'button.payCrypto'), CB.payCrypto(p.plan.code))]);
  if (p.methods.stars && stars)
    keyboard.push([
      btn(t(lang, 'button.payStars', { stars: money(stars, 'XTR', lang) }), CB.payStars(p.plan.code)),
    ]);
  keyboard.push(back(lang, CB.plans));
  const text = t(lang, 'plans.methods', {
    plan: planName(p.plan, lang),
    discount: p.discountPercent ? `\n${discountNote(p.discountPercent, lang)}` : '',
    balance: money(p.balanceMinor, p.currency, lang),
  });
  return { text, keyboard };
}

export function confirmBalancePayment(
  p: { plan: Plan; priceMinor: number; balanceMinor: number; currency: string; nonce: string },
  lang: Lang,
): Screen {
  return {
    text: t(lang, 'plans.confirmBalance', {
      price: money(p.priceMinor, p.currency, lang),
      plan: planName(p.plan, lang),
      after: money(p.balanceMinor - p.priceMinor, p.currency, lang),
    }),
    keyboard: [
      [btn(t(lang, 'button.confirmPay'), CB.payBalanceConfirm(p.plan.code, p.nonce))],
      back(lang, CB.plan(p.plan.code)),
    ],
  };
}

export function insufficientFunds(
  p: { needMinor?: number; balanceMinor: number; currency: string },
  lang: Lang,
): Screen {
  const have = money(p.balanceMinor, p.currency, lang);
  return {
    text:
      p.needMinor !== undefined
        ? t(lang, 'plans.insufficientFor', { need: money(p.needMinor, p.currency, lang), have })
        : t(lang, 'plans.insufficient', { have }),
    keyboard: [
      [btn(t(lang, 'button.topUpBalance'), CB.balance)],
      [btn(t(lang, 'button.plansShort'), CB.plans)],
      backToMenu(lang),
    ],
  };
}

export function paidFromBalance(
  p: { plan: Plan; priceMinor: number; balanceAfter: number; currency: string; expiresAt: Date | null },
  lang: Lang,
): Screen {
  const values = {
    price: money(p.priceMinor, p.currency, lang),
    plan: planName(p.plan, lang),
    balance: money(p.balanceAfter, p.currency, lang),
  };
  return {
    text: p.expiresAt
      ? t(lang, 'plans.paidFromBalanceUntil', { ...values, until: dateTime(p.expiresAt, lang) })
      : t(lang, 'plans.paidFromBalance', values),
    keyboard: [[btn(t(lang, 'button.sub'), CB.sub)], backToMenu(lang)],
  };
}

export const alreadyPaid = texts('plans.alreadyPaid');

export const cryptoInvoiceTitle = (plan: Plan, lang: Lang) =>
  t(lang, 'plans.cryptoTitle', { plan: planName(plan, lang) });

/** `invoice` is the Crypto Pay checkout's answer (CryptoPayInvoiceRef), read as is. */
export function cryptoInvoice(
  invoice: { purchase: { amountMinor: number; currency: string }; invoiceUrl: string; expiresAt: Date },
  p: { title: string; backTo: string },
  lang: Lang,
): Screen {
  return {
    text: t(lang, 'plans.cryptoInvoice', {
      title: p.title,
      amount: money(invoice.purchase.amountMinor, invoice.purchase.currency, lang),
      until: dateTime(invoice.expiresAt, lang),
    }),
    keyboard: [[urlBtn(t(lang, 'button.payUrl'), invoice.invoiceUrl)], back(lang, p.backTo)],
  };
}

export const starsInvoiceSent = texts('stars.invoiceSent');

export function starsInvoiceTexts(
  p: { plan?: Plan; creditMinor?: number; currency: string },
  lang: Lang,
): { title: string; description: string } {
  if (p.plan) {
    const plan = planName(p.plan, lang);
    return {
      title: t(lang, 'stars.planTitle', { plan }),
      description: t(lang, 'stars.planDescription', { plan }),
    };
  }
  const amount = money(p.creditMinor ?? 0, p.currency, lang);
  return { title: t(lang, 'stars.topupTitle'), description: t(lang, 'stars.topupDescription', { amount }) };
}

const REFUSALS = ['disabled', 'unknown_invoice', 'already_paid', 'expired', 'price_changed'];

/** Telegram shows this in the payment form when the bot refuses a pre-checkout query. */
export const preCheckoutRefusal: Record<string, Texts> = Object.fromEntries(
  REFUSALS.map((r) => [r, texts(`stars.refusal.${r}`)]),
);

export function starsReturned(lang: Lang): Screen {
  return {
    text: t(lang, 'stars.returned'),
    keyboard: [[btn(t(lang, 'button.plansShort'), CB.plans)], backToMenu(lang)],
  };
}

export const tooManyInvoices = texts('plans.tooManyInvoices');
export const planUnavailable = texts('plans.planUnavailable');
export const methodUnavailable = texts('plans.methodUnavailable');
export const providerUnavailable = texts('plans.providerUnavailable');
