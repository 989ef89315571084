import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolMonitor } from './pool-monitor';
import { isTransientDbError } from './transient-db-error';

function pgError(code: string): Error {
  return Object.assign(new Error(`server said ${code}`), { code });
}

/** How TypeORM rethrows a driver error: a QueryFailedError with the original as `driverError`. */
function typeormError(code: string): Error {
  return Object.assign(new Error('query failed'), { driverError: pgError(code) });
}

describe('isTransientDbError', () => {
  it.each([
    ['08000', 'connection_exception'],
    ['08006', 'connection_failure'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['53300', 'too_many_connections'],
    ['53200', 'out_of_memory'],
    ['57014', 'query_canceled (statement timeout)'],
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'],
  ])('treats SQLSTATE %s (%s) as transient, raw or wrapped by TypeORM', (code) => {
    expect(isTransientDbError(pgError(code))).toBe(true);
    expect(isTransientDbError(typeormError(code))).toBe(true);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])(
    'treats socket error %s as transient',
    (code) => {
      expect(isTransientDbError(pgError(code))).toBe(true);
    },
  );

  it.each([
    ['23505', 'unique_violation'],
    ['23514', 'check_violation'],
    ['42601', 'syntax_error'],
    ['42P01', 'undefined_table'],
    ['28P01', 'invalid_password'],
    ['40002', 'transaction_integrity_constraint_violation'],
  ])('treats SQLSTATE %s (%s) as a fault, not an outage', (code) => {
    expect(isTransientDbError(pgError(code))).toBe(false);
    expect(isTransientDbError(typeormError(code))).toBe(false);
  });

  it('does not read message text: a bug that quotes an outage message is not transient', () => {
    expect(isTransientDbError(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isTransientDbError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientDbError(undefined)).toBe(false);
  });
});

describe('isTransientDbError on pg-pool errors without a code', () => {
  let server: Server | undefined;
  let pool: Pool | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    await pool?.end().catch(() => undefined);
    for (const s of sockets) s.destroy();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    pool = server = undefined;
  });

  async function fakeServer(opts: { answers: boolean; onQuery?: (s: Socket) => void }): Promise<number> {
    server = createServer((s) => {
      sockets.push(s);
      let started = false;
      s.on('data', () => {
        if (!opts.answers) return;
        if (!started) {
          started = true;
          // AuthenticationOk, then ReadyForQuery (idle)
          s.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
          return;
        }
        opts.onQuery?.(s);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server!.address() as AddressInfo).port;
  }

  function monitoredPool(port: number, extra: { max?: number; connectionTimeoutMillis?: number } = {}) {
    pool = new Pool({ host: '127.0.0.1', port, user: 'u', database: 'd', ...extra });
    pool.on('error', () => undefined);
    new PoolMonitor().attach(pool, { holdWarnMs: 60_000 });
    return pool;
  }

  it('recognises the acquire timeout and the connect timeout of a pool whose server never answers', async () => {
    const p = monitoredPool(await fakeServer({ answers: false }), { max: 1, connectionTimeoutMillis: 200 });
    const [connecting, queued] = await Promise.allSettled([p.connect(), p.connect()]);
    const errors = [connecting, queued].map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
    ]);
    for (const e of errors) {
      expect((e as { code?: string }).code).toBeUndefined();
      expect(isTransientDbError(e)).toBe(true);
    }
  });

  it('recognises a connection dropped while a query runs', async () => {
    const port = await fakeServer({ answers: true, onQuery: (s) => s.destroy() });
    const err = (await monitoredPool(port)
      .query('SELECT 1')
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Connection terminated unexpectedly');
    expect(isTransientDbError(err)).toBe(true);
  });

  it('classifies a refused connection by its errno code', async () => {
    const port = await fakeServer({ answers: false });
    await new Promise((r) => server!.close(r));
    server = undefined;
    const err = await monitoredPool(port)
      .connect()
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isTransientDbError(err)).toBe(true);
  });
});
