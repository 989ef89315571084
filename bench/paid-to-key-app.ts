import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { DbService } from '../src/database/db.service';
import { FakeCryptoPay } from '../src/demo/fake-crypto-pay';
import { FakeTelegram, type FakeUser, type SentCall } from '../src/demo/fake-telegram';
import { FakeXrayCore } from '../src/demo/fake-xray-core';
import { BalanceLedgerEntity } from '../src/payments/balance-ledger.entity';
import { TelegramModule } from '../src/telegram/telegram.module';
import { UserEntity } from '../src/users/user.entity';
import { createTestApp } from '../test/support/test-app';
import { testEnv } from '../test/support/test-env';
import { until } from './telegram-bench-app';

export type Provider = 'crypto_pay' | 'stars' | 'balance' | 'trial';

/**
 * The least time between the bot's last message to a chat and that user's payment: nobody pays an invoice, or taps
 * "pay" under a screen, within a second of seeing it. Without it the sample would also count the chat's 1.1 s
 * send pace behind the bot's own previous message (the invoice), which no user can run into.
 */
export const THINK_MS = 1_500;

/** The outside world of the paid → key bench: fake Telegram, fake Crypto Pay, fake Xray core. */
export interface Fakes {
  telegram: FakeTelegram;
  cryptoPay: FakeCryptoPay;
  core: FakeXrayCore;
}

export async function startFakes(): Promise<Fakes> {
  return {
    telegram: await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start(),
    cryptoPay: await new FakeCryptoPay().start(),
    core: await new FakeXrayCore('xray', 'vless-in').start(),
  };
}

export async function stopFakes(f: Fakes): Promise<void> {
  await f.telegram.stop();
  await f.cryptoPay.stop();
  await f.core.stop();
}

/**
 * The whole bot (real handlers, payments, VPN outbox, notifications, every job scheduled) in this process on
 * `url`, polling the fake Telegram, listening on 127.0.0.1 for the Crypto Pay webhook.
 */
export class PaidToKeyApp {
  private nextUser = 700_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    private readonly fakes: Fakes,
    private readonly db: DbService,
  ) {}

  static async start(url: string, fakes: Fakes, env: Record<string, string>): Promise<PaidToKeyApp> {
    const { app } = await createTestApp({
      databaseUrl: url,
      imports: [TelegramModule],
      env: {
        TELEGRAM_API_ROOT: fakes.telegram.apiRoot,
        TELEGRAM_POLL_TIMEOUT_S: '1',
        TELEGRAM_POLL_MARGIN_MS: '1000',
        XRAY_API_ADDRESS: fakes.core.apiAddress,
        XRAY_INBOUND_TAG: 'vless-in',
        CRYPTO_PAY_TOKEN: fakes.cryptoPay.token,
        CRYPTO_PAY_API_ROOT: fakes.cryptoPay.apiRoot,
        VPN_PUBLIC_HOST: 'vpn.example.test',
        PUBLIC_BASE_URL: 'https://sub.example.test',
        SUPPORT_CONTACT: '@help_desk',
        JOBS_ENABLED: 'true',
        ...env,
      },
    });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const db = app.get(DbService);
    return new PaidToKeyApp(app, `http://127.0.0.1:${port}`, fakes, db);
  }

  close(): Promise<void> {
    return this.app.close();
  }

  /**
   * One purchase by a new user: the steps before the payment are done untimed; then the clock starts when the
   * payment event is sent and stops when the fake Telegram receives the key notice. Returns milliseconds.
   */
  async sample(provider: Provider): Promise<{ ms: number; chatId: number }> {
    const user: FakeUser = { id: this.nextUser++, firstName: 'Ann', languageCode: 'en' };
    const tg = this.fakes.telegram;
    let pay: () => Promise<unknown>;
    if (provider === 'trial') {
      await this.handled(user.id, () => tg.userMessage(user, '/start'));
      pay = async () => tg.pressButton(user, 'trial');
    } else if (provider === 'balance') {
      await this.user(user.id, 50_000);
      const data = callbackData(await this.handled(user.id, () => tg.pressButton(user, 'pb:1m')));
      const ok = data.find((d) => d.startsWith('pbok:1m:'));
      if (!ok) throw new Error(`no pay-from-balance button: ${data.join(', ')}`);
      pay = async () => tg.pressButton(user, ok);
    } else if (provider === 'stars') {
      await this.user(user.id, 0);
      await this.handled(user.id, () => tg.pressButton(user, 'ps:1m'));
      const purchaseId = (await this.purchase(user.id)).id;
      await this.handled(user.id, () => tg.preCheckout(user, { payload: purchaseId, totalAmount: 150 }));
      pay = async () =>
        tg.successfulPayment(user, { payload: purchaseId, totalAmount: 150, chargeId: `stxr_${user.id}` });
    } else {
      await this.user(user.id, 0);
      await this.handled(user.id, () => tg.pressButton(user, 'pc:1m'));
      const invoiceId = Number((await this.purchase(user.id)).provider_invoice_id);
      this.fakes.cryptoPay.markPaid(invoiceId);
      pay = async () => {
        const [d] = await this.fakes.cryptoPay.deliverWebhook(
          `${this.baseUrl}/payments/crypto-pay/webhook`,
          invoiceId,
        );
        if (d.status !== 200) throw new Error(`Crypto Pay webhook answered ${d.status}`);
      };
    }
    const lastToChat = tg.sent
      .filter((c) => Number(c.params.chat_id) === user.id && /^send/.test(c.method))
      .at(-1);
    const think = (lastToChat?.at ?? 0) + THINK_MS - Date.now();
    if (think > 0) await new Promise((r) => setTimeout(r, think));
    const from = tg.sent.length;
    const t0 = Date.now();
    await pay();
    let key: SentCall | undefined;
    await until(
      () => (key = tg.sent.slice(from).find((c) => isKeyNotice(c, user.id))) !== undefined,
      60_000,
      `${provider}: key notice for ${user.id}`,
    );
    return { ms: key!.at - t0, chatId: user.id };
  }

  /** How many key notices chat `chatId` received (to check nothing was sent twice). */
  keyNotices(chatId: number): number {
    return this.fakes.telegram.sent.filter((c) => isKeyNotice(c, chatId)).length;
  }

  /** A known user, as the test factory makes one: a balance comes with its ledger row. */
  private async user(id: number, balanceMinor: number): Promise<void> {
    const ds = this.db.dataSource;
    await ds.getRepository(UserEntity).save({ id, languageCode: 'en', username: null, balanceMinor });
    if (balanceMinor !== 0)
      await ds.getRepository(BalanceLedgerEntity).insert({
        userId: id,
        deltaMinor: balanceMinor,
        balanceAfter: balanceMinor,
        reason: 'admin',
        reference: `bench:${id}`,
      });
  }

  private async purchase(userId: number): Promise<{ id: string; provider_invoice_id: string }> {
    const rows = await this.db.query<{ id: string; provider_invoice_id: string }>(
      'bench',
      'SELECT id, provider_invoice_id FROM purchases WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [userId],
    );
    if (!rows[0]) throw new Error(`no purchase for ${userId}`);
    return rows[0];
  }

  /** Injects an update; resolves with the calls to `chatId` made until the dispatcher finished it. */
  private async handled(chatId: number, inject: () => number): Promise<SentCall[]> {
    const from = this.fakes.telegram.sent.length;
    const updateId = inject();
    await until(
      async () => {
        const rows = await this.db.query<{ state: string }>(
          'bench',
          'SELECT state FROM telegram_updates WHERE update_id = $1',
          [updateId],
        );
        return ['done', 'failed'].includes(rows[0]?.state ?? '');
      },
      30_000,
      `update ${updateId} handled`,
    );
    return this.fakes.telegram.sent.slice(from).filter((c) => Number(c.params.chat_id) === chatId);
  }
}

function isKeyNotice(c: SentCall, chatId: number): boolean {
  return (
    c.method === 'sendMessage' &&
    Number(c.params.chat_id) === chatId &&
    /key is ready/.test(String(c.params.text))
  );
}

function callbackData(calls: SentCall[]): string[] {
  for (const c of [...calls].reverse()) {
    const raw = c.params.reply_markup;
    const markup = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
      { inline_keyboard?: { callback_data?: string }[][] } | undefined;
    if (markup?.inline_keyboard)
      return markup.inline_keyboard.flat().flatMap((b) => (b.callback_data ? [b.callback_data] : []));
  }
  return [];
}
