import type { InlineKeyboardButton } from 'telegraf/types';
import type { Plan } from '../../../subscriptions/plan';
import { CB } from './callback-data';
import { dateTime, esc, money, type Lang, type Screen, type Texts } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';

export const planName = (p: Plan, lang: Lang): string => {
  const d = p.durationDays;
  if (d % 365 === 0)
    return lang === 'ru'
      ? `${d / 365} ${plural(d / 365, 'год', 'года', 'лет')}`
      : `${d / 365} year${d === 365 ? '' : 's'}`;
  if (d % 30 === 0 && d < 365)
    return lang === 'ru'
      ? `${d / 30} ${plural(d / 30, 'месяц', 'месяца', 'месяцев')}`
      : `${d / 30} month${d === 30 ? '' : 's'}`;
  return lang === 'ru' ? `${d} ${plural(d, 'день', 'дня', 'дней')}` : `${d} day${d === 1 ? '' : 's'}`;
};

function plural(n: number, one: string, few: string, many: string): string {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return one;
  if (m10 >= 2 && m10 <= 4 && (m100 < 10 || m100 >= 20)) return few;
  return many;
}

export function planList(plans: Plan[], currency: string, lang: Lang): Screen {
  const lines = plans.map((p) => {
    const price = p.prices[currency] !== undefined ? money(p.prices[currency], currency, lang) : '';
    const stars = p.starsPrice ? ` · ${money(p.starsPrice, 'XTR', lang)}` : '';
    return `• <b>${planName(p, lang)}</b> — ${price}${stars}`;
  });
  const head = lang === 'ru' ? '🛒 <b>Тарифы</b>\nВыберите срок:' : '🛒 <b>Plans</b>\nChoose a period:';
  const keyboard: InlineKeyboardButton[][] = plans.map((p) => [
    btn(
      `${planName(p, lang)} — ${p.prices[currency] !== undefined ? money(p.prices[currency], currency, lang) : money(p.starsPrice ?? 0, 'XTR', lang)}`,
      CB.plan(p.code),
    ),
  ]);
  keyboard.push(backToMenu(lang));
  const none = lang === 'ru' ? 'Сейчас нет тарифов в продаже.' : 'No plans are on sale right now.';
  return { text: plans.length ? `${head}\n\n${lines.join('\n')}` : none, keyboard };
}

export interface PaymentMethods {
  balance: boolean;
  cryptoPay: boolean;
  stars: boolean;
}

export function paymentMethods(
  p: { plan: Plan; currency: string; methods: PaymentMethods; balanceMinor: number },
  lang: Lang,
): Screen {
  const price = p.plan.prices[p.currency];
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.methods.balance && price !== undefined)
    keyboard.push([
      btn(
        `${lang === 'ru' ? '💰 С баланса' : '💰 From balance'} (${money(price, p.currency, lang)})`,
        CB.payBalance(p.plan.code),
      ),
    ]);
  if (p.methods.cryptoPay && price !== undefined)
    keyboard.push([
      btn(
        lang === 'ru' ? '💎 Криптовалютой (Crypto Pay)' : '💎 Crypto (Crypto Pay)',
        CB.payCrypto(p.plan.code),
      ),
    ]);
  if (p.methods.stars && p.plan.starsPrice)
    keyboard.push([
      btn(
        `${lang === 'ru' ? '⭐ Telegram Stars' : '⭐ Telegram Stars'} (${money(p.plan.starsPrice, 'XTR', lang)})`,
        CB.payStars(p.plan.code),
      ),
    ]);
  keyboard.push(back(lang, CB.plans));
  const text = {
    en: `🛒 <b>${planName(p.plan, lang)}</b>\nYour balance: ${money(p.balanceMinor, p.currency, lang)}\n\nChoose how to pay:`,
    ru: `🛒 <b>${planName(p.plan, lang)}</b>\nВаш баланс: ${money(p.balanceMinor, p.currency, lang)}\n\nВыберите способ оплаты:`,
  }[lang];
  return { text, keyboard };
}

export function confirmBalancePayment(
  p: { plan: Plan; priceMinor: number; balanceMinor: number; currency: string; nonce: string },
  lang: Lang,
): Screen {
  const price = money(p.priceMinor, p.currency, lang);
  const after = money(p.balanceMinor - p.priceMinor, p.currency, lang);
  return {
    text: {
      en: `Pay <b>${price}</b> from your balance for <b>${planName(p.plan, lang)}</b>?\nBalance after payment: ${after}`,
      ru: `Оплатить <b>${price}</b> с баланса за <b>${planName(p.plan, lang)}</b>?\nБаланс после оплаты: ${after}`,
    }[lang],
    keyboard: [
      [btn(lang === 'ru' ? '✅ Оплатить' : '✅ Pay', CB.payBalanceConfirm(p.plan.code, p.nonce))],
      back(lang, CB.plan(p.plan.code)),
    ],
  };
}

export function insufficientFunds(
  p: { needMinor?: number; balanceMinor: number; currency: string },
  lang: Lang,
): Screen {
  const need = p.needMinor !== undefined ? money(p.needMinor, p.currency, lang) : undefined;
  const have = money(p.balanceMinor, p.currency, lang);
  return {
    text: {
      en: `❌ Not enough balance${need ? `: the plan costs ${need}, you have ${have}` : ` (you have ${have})`}.\nTop up your balance or choose another way to pay.`,
      ru: `❌ Недостаточно средств${need ? `: тариф стоит ${need}, на балансе ${have}` : ` (на балансе ${have})`}.\nПополните баланс или выберите другой способ оплаты.`,
    }[lang],
    keyboard: [
      [btn(lang === 'ru' ? '💰 Пополнить баланс' : '💰 Top up balance', CB.balance)],
      [btn(lang === 'ru' ? '🛒 Тарифы' : '🛒 Plans', CB.plans)],
      backToMenu(lang),
    ],
  };
}

export function paidFromBalance(
  p: { plan: Plan; priceMinor: number; balanceAfter: number; currency: string; expiresAt: Date | null },
  lang: Lang,
): Screen {
  const until = p.expiresAt ? dateTime(p.expiresAt, lang) : '';
  return {
    text: {
      en: `✅ Paid ${money(p.priceMinor, p.currency, lang)} from your balance for <b>${planName(p.plan, lang)}</b>.${until ? `\nAccess until <b>${until}</b>.` : ''}\nBalance: ${money(p.balanceAfter, p.currency, lang)}`,
      ru: `✅ Оплачено ${money(p.priceMinor, p.currency, lang)} с баланса за <b>${planName(p.plan, lang)}</b>.${until ? `\nДоступ до <b>${until}</b>.` : ''}\nБаланс: ${money(p.balanceAfter, p.currency, lang)}`,
    }[lang],
    keyboard: [[btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)], backToMenu(lang)],
  };
}

export const alreadyPaid: Texts = {
  en: 'This payment was made already.',
  ru: 'Этот платёж уже выполнен.',
};

export function cryptoInvoice(
  p: { title: string; amountMinor: number; currency: string; url: string; expiresAt: Date; backTo: string },
  lang: Lang,
): Screen {
  return {
    text: {
      en: `💎 <b>${esc(p.title)}</b>: ${money(p.amountMinor, p.currency, lang)}\n\nPay with crypto through @CryptoBot. The invoice is valid until ${dateTime(p.expiresAt, lang)}.\nYou will get a message as soon as the payment arrives.`,
      ru: `💎 <b>${esc(p.title)}</b>: ${money(p.amountMinor, p.currency, lang)}\n\nОплатите криптовалютой через @CryptoBot. Счёт действует до ${dateTime(p.expiresAt, lang)}.\nКак только оплата поступит, вы получите сообщение.`,
    }[lang],
    keyboard: [[urlBtn(lang === 'ru' ? '💳 Оплатить' : '💳 Pay', p.url)], back(lang, p.backTo)],
  };
}

export const starsInvoiceSent: Texts = {
  en: 'Invoice sent below ⬇️',
  ru: 'Счёт отправлен ниже ⬇️',
};

export function starsInvoiceTexts(
  p: { plan?: Plan; creditMinor?: number; currency: string },
  lang: Lang,
): { title: string; description: string } {
  if (p.plan)
    return {
      title: lang === 'ru' ? `VPN на ${planName(p.plan, lang)}` : `VPN for ${planName(p.plan, lang)}`,
      description:
        lang === 'ru'
          ? `Доступ к VPN на ${planName(p.plan, lang)}. Ключ придёт сразу после оплаты.`
          : `VPN access for ${planName(p.plan, lang)}. The key arrives right after payment.`,
    };
  const amount = money(p.creditMinor ?? 0, p.currency, lang);
  return {
    title: lang === 'ru' ? 'Пополнение баланса' : 'Balance top-up',
    description: lang === 'ru' ? `Пополнение баланса на ${amount}.` : `Adds ${amount} to your balance.`,
  };
}

export const preCheckoutRefusal: Record<string, Texts> = {
  disabled: {
    en: 'Payments with Telegram Stars are not available right now.',
    ru: 'Оплата через Telegram Stars сейчас недоступна.',
  },
  unknown_invoice: {
    en: 'This invoice is no longer valid. Please start the purchase again.',
    ru: 'Этот счёт больше не действителен. Начните покупку заново.',
  },
  already_paid: { en: 'This invoice has already been paid.', ru: 'Этот счёт уже оплачен.' },
  expired: {
    en: 'This invoice has expired. Please start the purchase again.',
    ru: 'Срок действия счёта истёк. Начните покупку заново.',
  },
  price_changed: {
    en: 'The price has changed since this invoice was made. Please start the purchase again.',
    ru: 'Цена изменилась после создания счёта. Начните покупку заново.',
  },
};

export function starsReturned(lang: Lang): Screen {
  return {
    text: {
      en: '↩️ This payment could not be applied (the invoice had expired or was no longer valid), so your Stars were returned. Please start the purchase again.',
      ru: '↩️ Этот платёж не удалось зачесть (счёт истёк или стал недействителен), поэтому Stars возвращены. Начните покупку заново.',
    }[lang],
    keyboard: [[btn(lang === 'ru' ? '🛒 Тарифы' : '🛒 Plans', CB.plans)], backToMenu(lang)],
  };
}

export const tooManyInvoices: Texts = {
  en: 'You have several unpaid invoices already. Pay one of them or try again in an hour.',
  ru: 'У вас уже несколько неоплаченных счетов. Оплатите один из них или попробуйте через час.',
};

export const planUnavailable: Texts = {
  en: 'This plan is no longer available. Please choose another one.',
  ru: 'Этот тариф больше недоступен. Выберите другой.',
};

export const methodUnavailable: Texts = {
  en: 'This payment method is not available right now. Please choose another one.',
  ru: 'Этот способ оплаты сейчас недоступен. Выберите другой.',
};

export const providerUnavailable: Texts = {
  en: '⚠️ The payment service is not answering right now. Nothing was charged. Please try again in a few minutes.',
  ru: '⚠️ Платёжный сервис сейчас не отвечает. Деньги не списаны. Попробуйте ещё раз через несколько минут.',
};
