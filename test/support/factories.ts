import type { INestApplication } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DbService } from '../../src/database/db.service';
import { BalanceLedgerEntity } from '../../src/payments/balance-ledger.entity';
import { PurchaseEntity } from '../../src/payments/purchase.entity';
import { SubscriptionEntity } from '../../src/subscriptions/subscription.entity';
import { UserEntity } from '../../src/users/user.entity';
import type { AppConfig } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from './database';
import { bootApp } from './test-bed';

const DAY_MS = 86_400_000;
// Far above the ids tests pick by hand (which stay below 10^9).
let nextUserId = 7_000_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

export type Factory = ReturnType<typeof createFactory>;

/** Rows written through TypeORM into the real test database, with valid defaults for everything. */
export function createFactory(ds: DataSource) {
  const factory = {
    /** A balance is written together with its ledger row, so "ledger sum = balance" holds from the start. */
    async user(over: Partial<UserEntity> = {}): Promise<UserEntity> {
      const { balanceMinor = 0, ...rest } = over;
      const user = await ds.getRepository(UserEntity).save({
        id: nextUserId++,
        languageCode: 'en',
        username: null,
        ...rest,
        balanceMinor,
      });
      if (balanceMinor !== 0)
        await ds.getRepository(BalanceLedgerEntity).insert({
          userId: user.id,
          deltaMinor: balanceMinor,
          balanceAfter: balanceMinor,
          reason: 'admin',
          reference: `factory:${user.id}`,
        });
      return user;
    },

    async subscription(
      over: Partial<SubscriptionEntity> & { balanceMinor?: number } = {},
    ): Promise<SubscriptionEntity> {
      const { balanceMinor, ...rest } = over;
      const userId = rest.userId ?? (await factory.user({ balanceMinor })).id;
      return ds.getRepository(SubscriptionEntity).save({
        status: 'active',
        isTrial: false,
        planCode: '1m',
        vpnUuid: randomUUID(),
        vpnEmail: `u${userId}@vpn.local`,
        subToken: randomBytes(24).toString('base64url'),
        expiresAt: new Date(Date.now() + 30 * DAY_MS),
        autoRenew: false,
        lastGrantSource: 'purchase',
        ...rest,
        userId,
      });
    },

    async purchase(over: Partial<PurchaseEntity> = {}): Promise<PurchaseEntity> {
      const userId = over.userId ?? (await factory.user()).id;
      const kind = over.kind ?? 'subscription';
      return ds.getRepository(PurchaseEntity).save({
        kind,
        planCode: kind === 'subscription' ? '1m' : null,
        amountMinor: 19_900,
        currency: 'RUB',
        creditMinor: kind === 'topup' ? (over.amountMinor ?? 19_900) : null,
        status: 'pending',
        provider: 'crypto_pay',
        expiresAt: new Date(Date.now() + 3_600_000),
        ...over,
        userId,
      });
    },
  };
  return factory;
}

export interface CoreApp {
  app: INestApplication;
  config: AppConfig;
  ds: DataSource;
  db: TestDatabase;
  factory: Factory;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

/** A fresh database and a Nest app with the given modules on it (jobs registered but not scheduled). */
export async function startCoreApp(opts: {
  imports: Type[];
  env?: Record<string, string>;
  database?: TestDatabase;
}): Promise<CoreApp> {
  const db = opts.database ?? (await createTestDatabase());
  const { app, config, get, close } = await bootApp({ db }, { imports: opts.imports, env: opts.env });
  const ds = app.get(DbService).dataSource;
  return {
    app,
    config,
    ds,
    db,
    factory: createFactory(ds),
    get,
    close: async () => {
      await close();
      if (!opts.database) await db.drop();
    },
  };
}
