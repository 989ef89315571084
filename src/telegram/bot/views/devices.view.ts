import type { InlineKeyboardButton } from 'telegraf/types';
import type { UserDevices } from '../../../vpn/devices/devices.service';
import { CB } from './callback-data';
import { dateTime, t, texts, type Lang, type Screen } from './i18n';
import { back, backToMenu, btn } from './menu.view';

/** "Samsung SM-S918B · Android 14", or the start of the device id when the app said nothing else. */
function deviceName(d: UserDevices['devices'][number]): string {
  const os = [d.deviceOs, d.osVersion].filter(Boolean).join(' ');
  const name = [d.deviceModel, os].filter(Boolean).join(' · ');
  return name || `ID ${d.hwid.slice(0, 8)}…`;
}

export function devicesScreen(u: UserDevices, lang: Lang): Screen {
  const n = u.devices.length;
  const lines: string[] = [
    t(lang, 'devices.title'),
    '',
    u.limit ? t(lang, 'devices.using', { n, max: u.limit }) : t(lang, 'devices.noLimit', { n }),
  ];
  if (!n) lines.push('', t(lang, 'devices.none'));
  u.devices.forEach((d, i) =>
    lines.push(
      '',
      t(lang, 'devices.line', { i: i + 1, name: deviceName(d) }),
      t(lang, 'devices.seen', { at: dateTime(new Date(d.lastSeenAt), lang) }),
    ),
  );
  lines.push('', t(lang, 'devices.note'));
  const keyboard: InlineKeyboardButton[][] = u.devices.map((d, i) => [
    btn(t(lang, 'devices.remove', { i: i + 1, name: deviceName(d) }).slice(0, 60), CB.deviceRemove(d.key)),
  ]);
  keyboard.push(back(lang, CB.sub), backToMenu(lang));
  return { text: lines.join('\n'), keyboard };
}

export const deviceRemoved = texts('devices.removed');
export const deviceAlreadyGone = texts('devices.alreadyGone');
