import type { InlineKeyboardButton } from 'telegraf/types';
import type { Subscription } from '../../../subscriptions/subscription';
import { CB } from './callback-data';
import { dateTime, esc, minutesLeft, type Lang, type Screen, type Texts } from './i18n';
import { back, backToMenu, btn } from './menu.view';

export function mySubscription(
  p: {
    sub: Subscription;
    link?: string;
    nodeLinks?: { label: string; link: string }[];
    subscriptionUrl?: string;
    canAutoRenew: boolean;
  },
  lang: Lang,
): Screen {
  const { sub } = p;
  const active = sub.status === 'active';
  const until = dateTime(sub.expiresAt, lang);
  const kind = sub.isTrial
    ? lang === 'ru'
      ? 'Пробный период'
      : 'Free trial'
    : lang === 'ru'
      ? 'Подписка'
      : 'Subscription';
  const lines: string[] = [`🔑 <b>${kind}</b>`];
  if (active) {
    lines.push(
      lang === 'ru' ? `Статус: ✅ активна до <b>${until}</b>` : `Status: ✅ active until <b>${until}</b>`,
    );
    if (p.nodeLinks) {
      lines.push('', lang === 'ru' ? 'Ваши ключи (нажмите, чтобы скопировать):' : 'Your keys (tap to copy):');
      for (const l of p.nodeLinks) lines.push(`${esc(l.label)}:`, `<code>${esc(l.link)}</code>`);
    } else if (p.link) {
      lines.push('', lang === 'ru' ? 'Ваш ключ (нажмите, чтобы скопировать):' : 'Your key (tap to copy):');
      lines.push(`<code>${esc(p.link)}</code>`);
    }
    if (p.subscriptionUrl) {
      lines.push(
        '',
        lang === 'ru' ? 'Ссылка-подписка (обновляется сама):' : 'Subscription URL (updates itself):',
      );
      lines.push(`<code>${esc(p.subscriptionUrl)}</code>`);
    }
    if (p.canAutoRenew)
      lines.push(
        '',
        lang === 'ru'
          ? `Автопродление с баланса: ${sub.autoRenew ? 'включено' : 'выключено'}`
          : `Auto-renew from balance: ${sub.autoRenew ? 'on' : 'off'}`,
      );
  } else {
    lines.push(
      lang === 'ru'
        ? `Статус: ⛔ закончилась ${until}. Продлите, чтобы вернуть доступ.`
        : `Status: ⛔ ended on ${until}. Renew to get your access back.`,
    );
  }
  const keyboard: InlineKeyboardButton[][] = [];
  if (active) {
    keyboard.push([
      btn(lang === 'ru' ? '📷 QR-код' : '📷 QR code', CB.qr),
      btn(lang === 'ru' ? '📱 Инструкция' : '📱 Setup guide', CB.guide),
    ]);
    keyboard.push([btn(lang === 'ru' ? '🔄 Перевыпустить ключ' : '🔄 Reissue key', CB.reissue)]);
    if (p.canAutoRenew)
      keyboard.push([
        btn(
          sub.autoRenew
            ? lang === 'ru'
              ? '🔁 Выключить автопродление'
              : '🔁 Turn auto-renew off'
            : lang === 'ru'
              ? '🔁 Включить автопродление'
              : '🔁 Turn auto-renew on',
          CB.autoRenew(!sub.autoRenew),
        ),
      ]);
  }
  keyboard.push([btn(lang === 'ru' ? '🛒 Продлить' : '🛒 Renew / extend', CB.plans)]);
  keyboard.push(backToMenu(lang));
  return { text: lines.join('\n'), keyboard };
}

export function noSubscription(trialAvailable: boolean, lang: Lang): Screen {
  const keyboard: InlineKeyboardButton[][] = [];
  if (trialAvailable) keyboard.push([btn(lang === 'ru' ? '🎁 Пробный период' : '🎁 Free trial', CB.trial)]);
  keyboard.push([btn(lang === 'ru' ? '🛒 Тарифы' : '🛒 Plans', CB.plans)]);
  keyboard.push(backToMenu(lang));
  return {
    text:
      lang === 'ru'
        ? 'У вас пока нет подписки. Возьмите пробный период или выберите тариф.'
        : 'You have no subscription yet. Start a free trial or choose a plan.',
    keyboard,
  };
}

export const notActive: Texts = {
  en: 'Your subscription is not active. Renew it to use this.',
  ru: 'Подписка не активна. Продлите её, чтобы воспользоваться этим.',
};

export const qrCaption: Texts = {
  en: '📷 Scan this QR code in your VPN app (Import → Scan QR code).',
  ru: '📷 Отсканируйте этот QR-код в VPN-приложении (Импорт → Сканировать QR-код).',
};

export function setupGuide(lang: Lang): Screen {
  const text = {
    en:
      '📱 <b>Setup guide</b>\n\n' +
      'First copy your key (tap the <code>vless://</code> link in "My subscription") or use the subscription URL, which updates itself.\n\n' +
      '<b>Android — v2rayNG</b>: ＋ → "Import config from clipboard" → tap the profile → ▶️.\n' +
      '<b>Android / iOS / Windows / macOS — Hiddify</b>: ＋ → "Add from clipboard" (or paste the subscription URL) → Connect.\n' +
      '<b>iOS — Streisand</b> or <b>V2Box</b>: ＋ → "Add from clipboard" or scan the QR code → connect.\n' +
      '<b>Windows — v2rayN</b>: Servers → "Import bulk URL from clipboard" (or Subscription group → add the URL) → set as active → System proxy → "Set system proxy".\n' +
      '<b>macOS — V2Box / Hiddify</b>: import from clipboard → connect.\n\n' +
      'Not working? Reissue the key in "My subscription" or write to support.',
    ru:
      '📱 <b>Инструкция</b>\n\n' +
      'Сначала скопируйте ключ (нажмите на ссылку <code>vless://</code> в «Моя подписка») или используйте ссылку-подписку, она обновляется сама.\n\n' +
      '<b>Android — v2rayNG</b>: ＋ → «Импорт из буфера обмена» → выберите профиль → ▶️.\n' +
      '<b>Android / iOS / Windows / macOS — Hiddify</b>: ＋ → «Добавить из буфера» (или вставьте ссылку-подписку) → Подключиться.\n' +
      '<b>iOS — Streisand</b> или <b>V2Box</b>: ＋ → «Добавить из буфера» или отсканируйте QR-код → подключитесь.\n' +
      '<b>Windows — v2rayN</b>: Серверы → «Импорт из буфера обмена» (или группа подписок → добавить ссылку) → сделать активным → Системный прокси → «Установить».\n' +
      '<b>macOS — V2Box / Hiddify</b>: импорт из буфера → подключиться.\n\n' +
      'Не работает? Перевыпустите ключ в «Моя подписка» или напишите в поддержку.',
  }[lang];
  return { text, keyboard: [back(lang, CB.sub), backToMenu(lang)] };
}

export function confirmReissue(lang: Lang): Screen {
  return {
    text:
      lang === 'ru'
        ? '🔄 Перевыпустить ключ?\n\nСтарый ключ и ссылка-подписка <b>перестанут работать</b>, на всех устройствах нужно будет импортировать новый ключ. Срок подписки не меняется.'
        : '🔄 Reissue your key?\n\nThe old key and subscription URL <b>will stop working</b>; you will have to import the new key on every device. Your expiry date stays the same.',
    keyboard: [
      [btn(lang === 'ru' ? '✅ Да, перевыпустить' : '✅ Yes, reissue', CB.reissueConfirm)],
      [btn(lang === 'ru' ? '✖️ Отмена' : '✖️ Cancel', CB.sub)],
    ],
  };
}

export function reissued(link: string | undefined, lang: Lang): Screen {
  const head =
    lang === 'ru'
      ? '✅ Ключ перевыпущен. Старый ключ больше не работает. Когда новый будет готов, придёт сообщение.'
      : '✅ Your key was reissued. The old key no longer works. You will get a message when the new one is ready.';
  return {
    text: link ? `${head}\n\n<code>${esc(link)}</code>` : head,
    keyboard: [[btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)], backToMenu(lang)],
  };
}

export const reissueTooSoon = (leftMs: number, lang: Lang): string =>
  lang === 'ru'
    ? `Ключ недавно перевыпускался. Повторить можно через ${minutesLeft(leftMs, lang)}`
    : `Your key was reissued recently. You can reissue again in ${minutesLeft(leftMs, lang)}.`;

export const autoRenewToast = (on: boolean, lang: Lang): string =>
  lang === 'ru' ? `Автопродление ${on ? 'включено' : 'выключено'}` : `Auto-renew is ${on ? 'on' : 'off'}`;

export const autoRenewNeedsPlan: Texts = {
  en: 'Auto-renew needs a paid plan: buy a plan first.',
  ru: 'Для автопродления нужен оплаченный тариф: сначала купите тариф.',
};

export function trialStarted(expiresAt: Date, lang: Lang): Screen {
  return {
    text:
      lang === 'ru'
        ? `🎁 Пробный период активирован до <b>${dateTime(expiresAt, lang)}</b>.\nКлюч готовится — вы получите сообщение, когда он будет готов. Ссылка и QR-код — в «Моя подписка».`
        : `🎁 Your free trial is active until <b>${dateTime(expiresAt, lang)}</b>.\nYour key is being prepared — you will get a message when it is ready. The link and QR code are in "My subscription".`,
    keyboard: [
      [btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)],
      [btn(lang === 'ru' ? '📱 Инструкция' : '📱 Setup guide', CB.guide)],
      backToMenu(lang),
    ],
  };
}

export function trialRefused(reason: 'used' | 'has_subscription', lang: Lang): Screen {
  const text = {
    used: {
      en: 'You have already used your free trial. Choose a plan to continue.',
      ru: 'Вы уже использовали пробный период. Выберите тариф, чтобы продолжить.',
    },
    has_subscription: {
      en: 'The free trial is for new users only, and you already have a subscription.',
      ru: 'Пробный период — только для новых пользователей, а у вас уже есть подписка.',
    },
  }[reason][lang];
  return {
    text,
    keyboard: [
      [btn(lang === 'ru' ? '🛒 Тарифы' : '🛒 Plans', CB.plans)],
      [btn(lang === 'ru' ? '🔑 Моя подписка' : '🔑 My subscription', CB.sub)],
      backToMenu(lang),
    ],
  };
}

export const keyUnavailable: Texts = {
  en: '⚠️ Keys cannot be shown right now. We are on it; please contact support if this persists.',
  ru: '⚠️ Сейчас не удаётся показать ключ. Мы уже разбираемся; если не пройдёт, напишите в поддержку.',
};
