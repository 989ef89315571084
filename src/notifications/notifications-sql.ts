/** A batch insert into the notifications outbox, as one CTE of a caller's statement (the sweeps' hot paths). */
export interface NotificationsInsertCte {
  /** CTE name. */
  name: string;
  /** FROM clause of the rows, e.g. `expired e`. */
  from: string;
  /** SQL expressions over `from`. */
  userId: string;
  kind: string;
  dedupeKey: string;
  payload: string;
  /** Leave out rows whose notice exists already instead of letting the insert conflict. */
  skipExisting?: boolean;
  /** RETURNING list, when the caller counts what was written. */
  returning?: string;
}

/** SQL text of the CTE; every argument is SQL written by the caller, never user input. */
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

/** SQL condition: a notice with this dedupe key (an SQL expression) exists, in any state. */
export function noticeExistsSql(dedupeKey: string): string {
  return `EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = ${dedupeKey})`;
}
