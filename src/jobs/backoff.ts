/** Random in the upper half of the capped delay: rows that failed together must not come due together. */
export function retryDelayMs(attempt: number, o: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
