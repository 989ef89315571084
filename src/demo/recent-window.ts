/**
 * Keeps only the newest `limit` entries of an array the fakes record into, in place (callers hold the array).
 * A test fake remembers everything; a demo that runs for days must not. Returns how many entries it dropped.
 */
export function keepNewest<T>(list: T[], limit: number | undefined): number {
  if (limit === undefined || list.length <= limit) return 0;
  return list.splice(0, list.length - limit).length;
}

/** The same for a Map in insertion order (the oldest keys go first). */
export function keepNewestKeys<K, V>(map: Map<K, V>, limit: number | undefined): void {
  if (limit === undefined) return;
  for (const key of map.keys()) {
    if (map.size <= limit) return;
    map.delete(key);
  }
}
