import type { TopConsumer } from '../../../traffic/traffic.service';
import { ta } from '../../../i18n/translate';
import { bytes } from '../views/i18n';
import { fitMessage } from './admin.view';

export const topUsage = (): string => ta('usage.top');

/** Top consumers of their current period, heaviest first (`admin.json`: operators read English). */
export function topView(rows: TopConsumer[]): string {
  if (!rows.length) return ta('top.none');
  const lines = rows.map((r, i) =>
    ta('top.line', {
      n: i + 1,
      who: r.username ? `@${r.username} (${r.userId})` : String(r.userId),
      used: bytes(r.usedBytes, 'en'),
      limit: r.limitBytes === null ? ta('top.unlimited') : bytes(r.limitBytes, 'en'),
      over: r.overLimit ? ta('top.overLimit') : '',
    }),
  );
  return fitMessage(ta('top.head', { lines: lines.join('\n') }));
}
