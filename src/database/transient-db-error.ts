/**
 * Is a database error worth a retry (the server or the pool is unavailable for a while) rather than a bug or a
 * bad statement? Decided by SQLSTATE and socket errno codes, never by message text.
 */

/** SQLSTATE classes whose every code is transient: 08 connection exception, 53 insufficient resources. */
const TRANSIENT_CLASSES = ['08', '53'];

const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
]);

/** Node socket errors on the connection to the server. */
const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * pg-pool's acquire timeout ("timeout exceeded when trying to connect", or "… due to connection timeout") and
 * pg's "Connection terminated unexpectedly" carry no code. Rather than match their text, the pool monitor marks
 * them where they arise, the one place that sees every connection: each failed `pool.connect()` without a code
 * (an acquire that timed out or a socket closed while connecting) and each error a checked-out client emits
 * when its connection drops (the same object its queries are rejected with).
 */
const unavailable = new WeakSet<object>();

export function markDatabaseUnavailable(err: unknown): void {
  if (typeof err === 'object' && err !== null) unavailable.add(err);
}

export function isTransientDbError(err: unknown): boolean {
  // TypeORM wraps the driver's error (QueryFailedError.driverError); pg-pool's are passed on as they are.
  for (const e of [err, (err as { driverError?: unknown } | undefined)?.driverError]) {
    if (typeof e !== 'object' || e === null) continue;
    if (unavailable.has(e)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_ERRNOS.has(code)) return true;
    if (code.length === 5 && TRANSIENT_CLASSES.includes(code.slice(0, 2))) return true;
  }
  return false;
}
