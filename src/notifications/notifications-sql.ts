/** For the sweeps' batch paths: see docs/architecture.md, "One owner per table". */
export interface NotificationsInsertCte {
  name: string;
  from: string;
  userId: string;
  kind: string;
  dedupeKey: string;
  payload: string;
  skipExisting?: boolean;
  returning?: string;
}

export function notificationsInsertCte(c: NotificationsInsertCte): string {
  const where = c.skipExisting ? `\n         WHERE NOT ${noticeExistsSql(c.dedupeKey)}` : '';
  const returning = c.returning ? `\n         RETURNING ${c.returning}` : '';
  return `${c.name} AS (
         INSERT INTO notifications (user_id, kind, dedupe_key, payload)
         SELECT ${c.userId}, ${c.kind}, ${c.dedupeKey}, ${c.payload}
         FROM ${c.from}${where}
         ON CONFLICT (dedupe_key) DO NOTHING${returning}
       )`;
}

export function noticeExistsSql(dedupeKey: string): string {
  return `EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = ${dedupeKey})`;
}
