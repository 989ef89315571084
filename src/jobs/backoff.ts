/**
 * Exponential backoff for retries stored in the database (outbox rows, inbox updates, notifications): base,
 * 2 × base, 4 × base … capped at `maxMs`, then a random point in the upper half of that, so that rows which
 * failed together (an outage) do not all come due at the same instant. (cockatiel's backoffs drive in-process
 * retry loops; these delays are written to `next_attempt_at` columns instead.)
 */
export function retryDelayMs(attempt: number, o: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
