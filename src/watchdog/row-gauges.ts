import { Injectable } from '@nestjs/common';
import { withCaller } from '../database/caller-context';
import { DbService } from '../database/db.service';
import { withDeadline } from '../database/with-deadline';
import { MetricsService } from './metrics.service';

/** Every state the gauges report, so a state that drains to zero reads 0 instead of its last value. */
const STATES: Record<string, string[]> = {
  vpn_operations: ['pending', 'in_progress', 'failed'],
  notifications: ['pending', 'sending', 'failed'],
  purchases: ['pending', 'paid'],
};

/** Refreshed by the watchdog tick, never on a scrape; a slow database only makes the figures stale. */
@Injectable()
export class RowGauges {
  constructor(
    private readonly db: DbService,
    private readonly metrics: MetricsService,
  ) {}

  async refresh(timeoutMs: number): Promise<void> {
    const rows = await withCaller({ label: 'watchdog' }, () =>
      withDeadline(
        this.db.query<{ t: string; state: string; n: number }>(
          'row-gauges',
          `SELECT 'vpn_operations' AS t, state, count(*)::int AS n FROM vpn_operations
             WHERE state IN ('pending', 'in_progress', 'failed') GROUP BY state
           UNION ALL
           SELECT 'notifications', state, count(*)::int FROM notifications
             WHERE state IN ('pending', 'sending', 'failed') GROUP BY state
           UNION ALL
           SELECT 'purchases', status, count(*)::int FROM purchases
             WHERE status IN ('pending', 'paid') GROUP BY status`,
        ),
        timeoutMs,
      ),
    );
    const got = new Map(rows.map((r) => [`${r.t}/${r.state}`, r.n]));
    for (const [table, states] of Object.entries(STATES))
      for (const state of states)
        this.metrics.dbCounts.set({ table, state }, got.get(`${table}/${state}`) ?? 0);
  }
}
