import type { InlineKeyboardButton } from 'telegraf/types';
import type { UserDevices } from '../../../vpn/devices/devices.service';
import { CB } from './callback-data';
import { dateTime, esc, type Lang, type Screen, type Texts } from './i18n';
import { back, backToMenu, btn } from './menu.view';

const T = {
  en: {
    title: '📱 <b>Devices</b>',
    limit: (n: number, max: number | null) =>
      max ? `Using ${n} of ${max} devices.` : `${n} device(s), no limit.`,
    none: 'No device has fetched your subscription URL yet.',
    seen: 'last seen',
    note:
      'Devices are counted when an app that sends its device id (Happ, Hiddify, v2RayTun and others) refreshes the subscription URL. ' +
      'Remove one you no longer use to free its slot. A vless:// key pasted by hand is not counted.',
    remove: '✖️ Remove',
  },
  ru: {
    title: '📱 <b>Устройства</b>',
    limit: (n: number, max: number | null) =>
      max ? `Используется ${n} из ${max} устройств.` : `Устройств: ${n}, без ограничений.`,
    none: 'Ни одно устройство ещё не загружало вашу ссылку-подписку.',
    seen: 'последний раз',
    note:
      'Устройство учитывается, когда приложение, передающее свой идентификатор (Happ, Hiddify, v2RayTun и другие), обновляет ссылку-подписку. ' +
      'Удалите ненужное устройство, чтобы освободить место. Ключ vless://, вставленный вручную, не учитывается.',
    remove: '✖️ Удалить',
  },
} as const;

/** "Samsung SM-S918B · Android 14", or the start of the device id when the app said nothing else. */
function deviceName(d: UserDevices['devices'][number]): string {
  const os = [d.deviceOs, d.osVersion].filter(Boolean).join(' ');
  const name = [d.deviceModel, os].filter(Boolean).join(' · ');
  return name || `ID ${d.hwid.slice(0, 8)}…`;
}

export function devicesScreen(u: UserDevices, lang: Lang): Screen {
  const t = T[lang];
  const lines: string[] = [t.title, '', t.limit(u.devices.length, u.limit)];
  if (!u.devices.length) lines.push('', t.none);
  u.devices.forEach((d, i) =>
    lines.push(
      '',
      `${i + 1}. ${esc(deviceName(d))}`,
      `   ${t.seen}: ${dateTime(new Date(d.lastSeenAt), lang)}`,
    ),
  );
  lines.push('', `<i>${t.note}</i>`);
  const keyboard: InlineKeyboardButton[][] = u.devices.map((d, i) => [
    btn(`${t.remove} ${i + 1}. ${deviceName(d)}`.slice(0, 60), CB.deviceRemove(d.key)),
  ]);
  keyboard.push(back(lang, CB.sub), backToMenu(lang));
  return { text: lines.join('\n'), keyboard };
}

export const deviceRemoved: Texts = { en: 'Device removed', ru: 'Устройство удалено' };
export const deviceAlreadyGone: Texts = {
  en: 'This device was already removed',
  ru: 'Это устройство уже удалено',
};
