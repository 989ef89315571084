/** In place (callers hold the array) so a long demo stays bounded; returns how many were dropped. */
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
