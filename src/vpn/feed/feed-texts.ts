/** Every text of the subscription page and the feed's reasons, per language, in one place. */
export type FeedLang = 'en' | 'ru';

/** The first of en/ru the browser prefers (Accept-Language order and q-values); English otherwise. */
export function feedLang(acceptLanguage: string | undefined): FeedLang {
  const prefs = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((p) => p.tag && p.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const p of prefs) {
    if (p.tag.startsWith('ru')) return 'ru';
    if (p.tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export type FeedBlock = 'expired' | 'revoked' | 'banned' | 'over_limit' | 'device_limit';

const en = {
  title: 'Your VPN subscription',
  status: 'Status',
  active: 'active',
  state: {
    expired: 'ended',
    revoked: 'replaced',
    banned: 'suspended',
    over_limit: 'traffic limit reached',
    device_limit: 'device limit reached',
  } satisfies Record<FeedBlock, string>,
  expires: 'Expires',
  usage: 'Traffic used',
  unlimited: 'unlimited',
  devices: 'Devices',
  keys: 'Your keys',
  keysHint: 'Scan a QR code with your VPN app, or copy the link.',
  import: 'Add to an app in one tap',
  subUrl: 'Subscription URL (paste it into any app; it updates itself)',
  apps: 'Which app to use',
  renew: 'Renew in the bot',
  support: 'Support',
  blocked: {
    expired: 'Your subscription has ended. Renew it in the bot to get your keys back.',
    revoked: 'This subscription was replaced. Open the bot for your current link.',
    banned: 'Access is suspended for this account. Contact support.',
    over_limit: 'The traffic limit of this period is used up. Buy more traffic or renew in the bot.',
    device_limit:
      'The device limit of your plan is reached. Remove a device in the bot (My subscription → Devices).',
  } satisfies Record<FeedBlock, string>,
  platforms: [
    ['Android', 'v2rayNG, Hiddify, Happ'],
    ['iPhone / iPad', 'Streisand, Happ, Shadowrocket, sing-box'],
    ['Windows', 'Hiddify, v2rayN, Clash Verge'],
    ['macOS', 'Hiddify, Clash Verge, sing-box'],
    ['Linux', 'Hiddify, Clash Verge, sing-box'],
  ] as [string, string][],
};

const ru: typeof en = {
  title: 'Ваша VPN-подписка',
  status: 'Статус',
  active: 'активна',
  state: {
    expired: 'закончилась',
    revoked: 'заменена',
    banned: 'приостановлена',
    over_limit: 'лимит трафика исчерпан',
    device_limit: 'лимит устройств исчерпан',
  },
  expires: 'Действует до',
  usage: 'Использовано трафика',
  unlimited: 'без ограничений',
  devices: 'Устройства',
  keys: 'Ваши ключи',
  keysHint: 'Отсканируйте QR-код в VPN-приложении или скопируйте ссылку.',
  import: 'Добавить в приложение в одно касание',
  subUrl: 'Ссылка-подписка (вставьте в любое приложение, она обновляется сама)',
  apps: 'Какое приложение выбрать',
  renew: 'Продлить в боте',
  support: 'Поддержка',
  blocked: {
    expired: 'Подписка закончилась. Продлите её в боте, чтобы вернуть ключи.',
    revoked: 'Эта подписка заменена. Откройте бота, чтобы получить актуальную ссылку.',
    banned: 'Доступ для этого аккаунта приостановлен. Напишите в поддержку.',
    over_limit: 'Лимит трафика на этот период исчерпан. Купите трафик или продлите подписку в боте.',
    device_limit: 'Достигнут лимит устройств тарифа. Удалите устройство в боте (Моя подписка → Устройства).',
  },
  platforms: [
    ['Android', 'v2rayNG, Hiddify, Happ'],
    ['iPhone / iPad', 'Streisand, Happ, Shadowrocket, sing-box'],
    ['Windows', 'Hiddify, v2rayN, Clash Verge'],
    ['macOS', 'Hiddify, Clash Verge, sing-box'],
    ['Linux', 'Hiddify, Clash Verge, sing-box'],
  ],
};

export const feedTexts: Record<FeedLang, typeof en> = { en, ru };

/** The reason header value machines read (`announce` carries the human text). */
export function blockedReason(block: FeedBlock): string {
  return block.replace('_', '-');
}
