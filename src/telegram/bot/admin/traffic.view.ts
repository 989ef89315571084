import type { TopConsumer } from '../../../traffic/traffic.service';
import { bytes } from '../views/i18n';
import { fitMessage } from './admin.view';

export const TOP_USAGE = 'Usage: /top [count] (count: a whole number from 1 to 50, default 10)';

/** Top consumers of their current period, heaviest first (operators read English). */
export function topView(rows: TopConsumer[]): string {
  if (!rows.length) return 'No traffic counted in the current periods yet.';
  const lines = rows.map((r, i) => {
    const who = r.username ? `@${r.username} (${r.userId})` : String(r.userId);
    const limit = r.limitBytes === null ? 'unlimited' : bytes(r.limitBytes, 'en');
    return `${i + 1}. ${who} — ${bytes(r.usedBytes, 'en')} / ${limit}${r.overLimit ? ' ⛔ over limit' : ''}`;
  });
  return fitMessage(`📶 Top traffic this period:\n${lines.join('\n')}`);
}
