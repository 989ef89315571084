import { afterEach, beforeEach } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from './test-env';

/**
 * A fresh database and a fresh fake Bot API for every test of the calling file. `started` hands them to the
 * file's variables; `cleanup` closes what the test started (its app) before the fake and the database go.
 */
export function freshDatabaseAndTelegramPerTest(o: {
  started: (s: { db: TestDatabase; fake: FakeTelegram }) => void;
  cleanup: () => Promise<void>;
  token?: string;
}): void {
  let db: TestDatabase | undefined;
  let fake: FakeTelegram | undefined;
  beforeEach(async () => {
    db = await createTestDatabase();
    fake = await new FakeTelegram({ token: o.token ?? testEnv().BOT_TOKEN! }).start();
    o.started({ db, fake });
  });
  afterEach(async () => {
    await o.cleanup();
    await fake?.stop();
    await db?.drop();
  });
}
