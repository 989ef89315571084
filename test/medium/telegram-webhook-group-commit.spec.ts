import { Injectable } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { TelegramInboxRepository } from '../../src/telegram/transport/telegram-inbox.repository';
import { TelegramTransportModule } from '../../src/telegram/transport/telegram-transport.module';
import { UpdateHandler } from '../../src/telegram/transport/update-handler';
import { WebhookIntakeService } from '../../src/telegram/transport/webhook-intake.service';
import { testBedPerTest, until } from '../support/test-bed';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'webhook-secret-0123456789abcdef0123456789';

@Injectable()
class CountingHandler extends UpdateHandler {
  readonly handled: number[] = [];
  async handle(update: Record<string, unknown>): Promise<void> {
    this.handled.push(update.update_id as number);
  }
}

const bed = testBedPerTest({ telegram: { token: TOKEN } });

async function start() {
  const t = await bed.start({
    imports: [TelegramTransportModule],
    providers: [CountingHandler, { provide: UpdateHandler, useExisting: CountingHandler }],
    // One intake connection: deliveries arriving during a flush must share the next one.
    env: {
      TELEGRAM_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: SECRET,
      TELEGRAM_WEBHOOK_DB_CONNECTIONS: '1',
    },
    listen: true,
  });
  const deliver = async (id: number) => {
    const res = await fetch(`${t.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({
        update_id: id,
        message: { message_id: id, chat: { id: 7_000 + (id % 5), type: 'private' }, date: 0, text: 'hi' },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { duplicate?: boolean };
    return { id, status: res.status, duplicate: body.duplicate };
  };
  const stored = async () =>
    (await t.query<{ id: string }>('SELECT update_id AS id FROM telegram_updates ORDER BY 1')).map((r) =>
      Number(r.id),
    );
  return {
    ...t,
    deliver,
    stored,
    intake: t.get(WebhookIntakeService),
    handler: t.get(CountingHandler),
    dbs: t.get(DbService),
  };
}

/** Holds an exclusive lock on the inbox until the returned release() is called. */
async function lockInbox(dbs: DbService): Promise<{ release(): Promise<void> }> {
  let locked!: () => void;
  const lockedP = new Promise<void>((r) => (locked = r));
  let release!: () => void;
  const releaseP = new Promise<void>((r) => (release = r));
  const tx = dbs.transaction('test.lock', async (em) => {
    await em.query('LOCK TABLE telegram_updates IN EXCLUSIVE MODE');
    locked();
    await releaseP;
  });
  await lockedP;
  return { release: () => (release(), tx) };
}

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('webhook group commit', () => {
  it('stores concurrent deliveries in shared INSERTs and answers each after its commit', async () => {
    const t = await start();
    const lock = await lockInbox(t.dbs);
    const first = t.deliver(100);
    await until(() => t.intake.flushing === 1, 10_000, 'first batch blocked on the lock');
    const rest = ids(101, 59).map((id) => t.deliver(id));
    await until(() => t.intake.waiting === 59, 10_000, 'deliveries queued behind the busy connection');
    // Nothing was answered while the batch could not commit.
    expect(t.intake.stats.batches).toBe(0);
    await lock.release();
    const answers = await Promise.all([first, ...rest]);
    expect(answers.every((a) => a.status === 200 && a.duplicate === false)).toBe(true);
    expect(t.intake.stats).toMatchObject({ batches: 2, updates: 60, largestBatch: 59 });
    expect(await t.stored()).toEqual(ids(100, 60));
    await until(() => t.handler.handled.length === 60);
    expect(new Set(t.handler.handled).size).toBe(60);
  });

  it('marks updates that finish together done in shared statements, every one of them', async () => {
    const t = await start();
    const inbox = t.get(TelegramInboxRepository);
    const before = inbox.stats.completeStatements;
    const answers = await Promise.all(ids(300, 80).map((id) => t.deliver(id)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await until(async () => {
      const [r] = await t.query<{ n: string }>(
        `SELECT count(*) AS n FROM telegram_updates WHERE state = 'done'`,
      );
      return Number(r.n) === 80;
    });
    expect(t.handler.handled).toHaveLength(80);
    // Handlers finishing in one turn share one UPDATE; one statement per update would be 80.
    expect(inbox.stats.completeStatements - before).toBeLessThan(40);
  });

  it('answers a repeat inside one batch as a duplicate and stores the update once', async () => {
    const t = await start();
    const lock = await lockInbox(t.dbs);
    const first = t.deliver(200);
    await until(() => t.intake.flushing === 1, 10_000, 'first batch blocked on the lock');
    const pairs = ids(201, 10).flatMap((id) => [t.deliver(id), t.deliver(id)]);
    await until(() => t.intake.waiting === 20, 10_000, 'pairs queued in one batch');
    await lock.release();
    const answers = await Promise.all([first, ...pairs]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    for (const id of ids(201, 10))
      expect(
        answers
          .filter((a) => a.id === id)
          .map((a) => a.duplicate)
          .sort(),
      ).toEqual([false, true]);
    expect(await t.stored()).toEqual(ids(200, 11));
    // A later redelivery (another batch) is a duplicate too.
    expect(await t.deliver(205)).toMatchObject({ status: 200, duplicate: true });
    await until(() => t.handler.handled.length === 11);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.handler.handled.sort()).toEqual(ids(200, 11));
  });

  it('refuses every delivery of a batch whose INSERT failed, so Telegram retries them, and loses none', async () => {
    const t = await start();
    // Update 313 cannot be stored: the whole statement it is part of fails.
    await t.query(
      'ALTER TABLE telegram_updates ADD CONSTRAINT test_reject_313 CHECK (update_id <> 313) NOT VALID',
    );
    const lock = await lockInbox(t.dbs);
    const first = t.deliver(300);
    await until(() => t.intake.flushing === 1, 10_000, 'first batch blocked on the lock');
    const batch = ids(301, 30).map((id) => t.deliver(id));
    await until(() => t.intake.waiting === 30, 10_000, 'one batch queued');
    await lock.release();
    const answers = await Promise.all(batch);
    expect((await first).status).toBe(200);
    expect(answers.map((a) => a.status)).toEqual(ids(301, 30).map(() => 503));
    expect(await t.stored()).toEqual([300]);

    // Telegram delivers them again once the database accepts them: every one is stored, none twice.
    await t.query('ALTER TABLE telegram_updates DROP CONSTRAINT test_reject_313');
    const retried = await Promise.all(ids(301, 30).map((id) => t.deliver(id)));
    expect(retried.every((a) => a.status === 200 && a.duplicate === false)).toBe(true);
    expect(await t.stored()).toEqual(ids(300, 31));
    await until(() => t.handler.handled.length === 31);
    expect(new Set(t.handler.handled).size).toBe(31);
  });
});
