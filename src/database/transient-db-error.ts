// See docs/architecture.md, reliability rule 11.

const TRANSIENT_CLASSES = ['08', '53'];

const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
]);

const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// pg-pool's acquire timeout and pg's "Connection terminated" carry no code: PoolMonitor marks them.
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
