import type { DynamicModule, INestApplication, LoggerService, Provider, Type } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import { until } from './until';
import type { AppConfig } from '../../src/config/app-config';
import { DbService } from '../../src/database/db.service';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { FakeTelegram, type FakeTelegramOptions } from '../../src/demo/fake-telegram';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { createTestDatabase, type TestDatabase } from './database';
import { createTestApp } from './test-app';
import { testEnv } from './test-env';

/** The outside world of one test: a fresh database and the fakes the app talks to over sockets. */
export interface Surroundings {
  db: TestDatabase;
  telegram: FakeTelegram;
  cryptoPay?: FakeCryptoPay;
  core?: FakeXrayCore;
}

export interface SurroundingsOptions {
  /** The fake Bot API's options; the token defaults to the test environment's BOT_TOKEN. */
  telegram?: Partial<FakeTelegramOptions>;
  cryptoPay?: boolean;
  /** An in-process fake Xray core (inbound `vless-in`). */
  core?: boolean;
}

export interface AppOptions {
  /** The modules under test (real ones; only outside systems are faked). */
  imports?: (Type | DynamicModule)[];
  providers?: Provider[];
  /** Overrides the environment that points the app at the fakes. */
  env?: Record<string, string>;
  logger?: LoggerService;
  /** Serve HTTP on 127.0.0.1: true for any free port, or this port. */
  listen?: boolean | number;
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  db: TestDatabase;
  /** Set when the app listens. */
  url?: string;
  get<T>(type: Type<T>): T;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  until: typeof until;
  close(): Promise<void>;
}

export type TestBed = TestApp & Surroundings;

// In its own module so that code compiled for benches can use it without loading vitest.
export { until };

/** The environment that points the app at whichever fakes are there. */
function surroundingsEnv(s: Partial<Surroundings>): Record<string, string> {
  return {
    ...(s.telegram
      ? {
          TELEGRAM_API_ROOT: s.telegram.apiRoot,
          TELEGRAM_POLL_TIMEOUT_S: '1',
          TELEGRAM_POLL_MARGIN_MS: '1000',
        }
      : {}),
    ...(s.core ? { XRAY_API_ADDRESS: s.core.apiAddress, XRAY_INBOUND_TAG: 'vless-in' } : {}),
    ...(s.cryptoPay ? { CRYPTO_PAY_TOKEN: s.cryptoPay.token, CRYPTO_PAY_API_ROOT: s.cryptoPay.apiRoot } : {}),
  };
}

async function startSurroundings(o: SurroundingsOptions, db?: TestDatabase): Promise<Surroundings> {
  const telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN!, ...o.telegram }).start();
  const core = o.core ? await new FakeXrayCore('xray', 'vless-in').start() : undefined;
  const cryptoPay = o.cryptoPay ? await new FakeCryptoPay().start() : undefined;
  return { db: db ?? (await createTestDatabase()), telegram, core, cryptoPay };
}

async function stopSurroundings(s: Surroundings): Promise<void> {
  await s.telegram.stop();
  await s.core?.stop();
  await s.cryptoPay?.stop();
  await s.db.drop();
}

/**
 * A Nest app with the modules under test on `s.db`, wired to the fakes in `s`. Its close() is idempotent, so
 * a test may shut the app down itself (to check what shutdown does) and the bed's own close does not repeat it.
 */
export async function bootApp(
  s: Partial<Surroundings> & { db: TestDatabase },
  o: AppOptions = {},
): Promise<TestApp> {
  const { app, config } = await createTestApp({
    databaseUrl: s.db.url,
    env: { ...surroundingsEnv(s), ...o.env },
    imports: o.imports,
    providers: o.providers,
    logger: o.logger,
  });
  const closeOnce = app.close.bind(app);
  let closing: Promise<void> | undefined;
  app.close = () => (closing ??= closeOnce());
  const port = o.listen === true ? 0 : o.listen === false ? undefined : o.listen;
  const listens = port !== undefined;
  if (listens) await app.listen(port, '127.0.0.1');
  const dbs = app.get(DbService);
  return {
    app,
    config,
    db: s.db,
    url: listens ? `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` : undefined,
    get: (type) => app.get(type),
    query: (sql, params = []) => dbs.query('test', sql, params),
    until,
    close: () => app.close(),
  };
}

/** A fresh database, the fakes and the app on them, in one call; close() tears all of it down. */
export async function startTestBed(o: SurroundingsOptions & AppOptions = {}): Promise<TestBed> {
  const s = await startSurroundings(o);
  try {
    const t = await bootApp(s, o);
    return {
      ...s,
      ...t,
      close: async () => {
        await t.close();
        await stopSurroundings(s);
      },
    };
  } catch (err) {
    await stopSurroundings(s);
    throw err;
  }
}

export interface PerTestBed {
  /** Boots the app on this test's database and fakes; it is closed after the test. */
  start(o?: AppOptions): Promise<TestBed>;
}

/**
 * A fresh database and fresh fakes for every test of the calling file, handed over by `started` before the
 * test runs (so it can arm faults before the app starts). After each test the apps go first (those booted by
 * `start` and any listed by `apps`), then the fakes and the database.
 */
export function testBedPerTest(
  o: SurroundingsOptions & {
    started?: (s: Surroundings) => void;
    apps?: () => (INestApplication | undefined)[];
  } = {},
): PerTestBed {
  let current: Surroundings | undefined;
  const booted: TestApp[] = [];
  const closed = new WeakSet<INestApplication>();
  beforeEach(async () => {
    current = await startSurroundings(o);
    o.started?.(current);
  });
  afterEach(async () => {
    for (const t of booted.splice(0)) await t.close();
    for (const app of o.apps?.() ?? [])
      if (app && !closed.has(app)) {
        closed.add(app);
        await app.close();
      }
    if (current) await stopSurroundings(current);
    current = undefined;
  });
  return {
    start: async (appOptions) => {
      if (!current) throw new Error('testBedPerTest: start() is for inside a test');
      const t = await bootApp(current, appOptions);
      booted.push(t);
      return { ...current, ...t };
    },
  };
}
