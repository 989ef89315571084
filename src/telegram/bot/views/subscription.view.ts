import type { InlineKeyboardButton } from 'telegraf/types';
import type { Subscription } from '../../../subscriptions/subscription';
import { CB } from './callback-data';
import { bytes, dateTime, minutesLeft, t, texts, type Lang, type Screen } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';

export interface TrafficLine {
  usedBytes: number;
  limitBytes: number | null;
  overLimit: boolean;
  reset: 'period' | 'monthly';
}

/** "Traffic: 1.2 GB / 50 GB", and why the key is paused once the limit is reached. */
export function trafficLines(tr: TrafficLine, lang: Lang): string[] {
  const used = bytes(tr.usedBytes, lang);
  const limit = tr.limitBytes === null ? t(lang, 'traffic.unlimited') : bytes(tr.limitBytes, lang);
  const lines = [t(lang, 'traffic.line', { used, limit })];
  if (tr.overLimit)
    lines.push(t(lang, tr.reset === 'monthly' ? 'traffic.pausedMonthly' : 'traffic.pausedPeriod'));
  return lines;
}

export function mySubscription(
  p: {
    sub: Subscription;
    link?: string;
    nodeLinks?: { label: string; link: string }[];
    subscriptionUrl?: string;
    canAutoRenew: boolean;
    traffic?: TrafficLine;
  },
  lang: Lang,
): Screen {
  const { sub } = p;
  const active = sub.status === 'active';
  const until = dateTime(sub.expiresAt, lang);
  const lines: string[] = [t(lang, sub.isTrial ? 'sub.titleTrial' : 'sub.titlePaid')];
  if (active) {
    lines.push(t(lang, 'sub.activeUntil', { until }));
    if (p.traffic) lines.push(...trafficLines(p.traffic, lang));
    if (p.nodeLinks) {
      lines.push('', t(lang, 'sub.yourKeys'));
      for (const l of p.nodeLinks) lines.push(t(lang, 'sub.nodeKey', { label: l.label, link: l.link }));
    } else if (p.link) {
      lines.push('', t(lang, 'sub.yourKey', { link: p.link }));
    }
    if (p.subscriptionUrl) lines.push('', t(lang, 'sub.url', { url: p.subscriptionUrl }));
    if (p.canAutoRenew) lines.push('', t(lang, sub.autoRenew ? 'sub.autoRenewOn' : 'sub.autoRenewOff'));
  } else {
    lines.push(t(lang, 'sub.ended', { until }));
  }
  const keyboard: InlineKeyboardButton[][] = [];
  if (active) {
    keyboard.push([btn(t(lang, 'button.qr'), CB.qr), btn(t(lang, 'button.guide'), CB.guide)]);
    keyboard.push([btn(t(lang, 'button.reissue'), CB.reissue), btn(t(lang, 'button.devices'), CB.devices)]);
    if (p.canAutoRenew)
      keyboard.push([
        btn(
          t(lang, sub.autoRenew ? 'button.autoRenewOff' : 'button.autoRenewOn'),
          CB.autoRenew(!sub.autoRenew),
        ),
      ]);
  }
  keyboard.push([btn(t(lang, 'button.renew'), CB.plans)]);
  keyboard.push(backToMenu(lang));
  return { text: lines.join('\n'), keyboard };
}

export function noSubscription(trialAvailable: boolean, lang: Lang): Screen {
  const keyboard: InlineKeyboardButton[][] = [];
  if (trialAvailable) keyboard.push([btn(t(lang, 'button.trial'), CB.trial)]);
  keyboard.push([btn(t(lang, 'button.plansShort'), CB.plans)]);
  keyboard.push(backToMenu(lang));
  return { text: t(lang, 'sub.none'), keyboard };
}

export const notActive = texts('sub.notActive');
export const qrCaption = texts('sub.qrCaption');

export function setupGuide(lang: Lang): Screen {
  return { text: t(lang, 'sub.guide'), keyboard: [back(lang, CB.sub), backToMenu(lang)] };
}

export function confirmReissue(lang: Lang): Screen {
  return {
    text: t(lang, 'sub.confirmReissue'),
    keyboard: [
      [btn(t(lang, 'button.reissueYes'), CB.reissueConfirm)],
      [btn(t(lang, 'button.cancel'), CB.sub)],
    ],
  };
}

/** With several nodes the QR button asks which node: one QR per message keeps the chat tidy. */
export function qrPicker(links: { node: string; label: string }[], lang: Lang): Screen {
  return {
    text: t(lang, 'sub.qrPicker'),
    keyboard: [
      ...links.map((l) => [btn(t(lang, 'button.qrNode', { label: l.label }), CB.qrNode(l.node))]),
      back(lang, CB.sub),
    ],
  };
}

export const nodeQrCaption = (label: string, lang: Lang): string => `${label}\n${qrCaption[lang]}`;

export function reissued(links: { label: string; link: string }[], lang: Lang): Screen {
  const body =
    links.length === 1
      ? `\n\n${t(lang, 'common.code', { value: links[0].link })}`
      : links.map((l) => `\n\n${t(lang, 'sub.nodeKey', { label: l.label, link: l.link })}`).join('');
  return {
    text: `${t(lang, 'sub.reissued')}${body}`,
    keyboard: [
      [btn(t(lang, 'button.sub'), CB.sub)],
      ...(links.length ? [[btn(t(lang, 'button.qr'), CB.qr)]] : []),
      backToMenu(lang),
    ],
  };
}

export const reissueTooSoon = (leftMs: number, lang: Lang): string =>
  t(lang, 'sub.reissueTooSoon', { wait: minutesLeft(leftMs, lang) });

export const autoRenewToast = (on: boolean, lang: Lang): string =>
  t(lang, on ? 'sub.autoRenewToastOn' : 'sub.autoRenewToastOff');

export const autoRenewNeedsPlan = texts('sub.autoRenewNeedsPlan');

export function trialStarted(expiresAt: Date, lang: Lang): Screen {
  return {
    text: t(lang, 'trial.started', { until: dateTime(expiresAt, lang) }),
    keyboard: [
      [btn(t(lang, 'button.sub'), CB.sub)],
      [btn(t(lang, 'button.guide'), CB.guide)],
      backToMenu(lang),
    ],
  };
}

export function trialRefused(reason: 'used' | 'has_subscription', lang: Lang): Screen {
  return {
    text: t(lang, reason === 'used' ? 'trial.used' : 'trial.hasSubscription'),
    keyboard: [
      [btn(t(lang, 'button.plansShort'), CB.plans)],
      [btn(t(lang, 'button.sub'), CB.sub)],
      backToMenu(lang),
    ],
  };
}

export const keyUnavailable = texts('sub.keyUnavailable');

/** REQUIRED_CHANNEL: the trial waits for the user to join (Join opens the channel, Check again asks anew). */
export function trialJoinChannel(p: { channel: string; link?: string }, lang: Lang): Screen {
  return {
    text: t(lang, 'trial.joinChannel', { channel: p.channel }),
    keyboard: [
      ...(p.link ? [[urlBtn(t(lang, 'button.joinChannel'), p.link)]] : []),
      [btn(t(lang, 'button.checkAgain'), CB.trialCheck)],
      backToMenu(lang),
    ],
  };
}

export const stillNotMember = texts('trial.stillNotMember');

export function trialCheckUnavailable(lang: Lang): Screen {
  return {
    text: t(lang, 'trial.checkUnavailable'),
    keyboard: [[btn(t(lang, 'button.checkAgain'), CB.trialCheck)], backToMenu(lang)],
  };
}
