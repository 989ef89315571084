import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { JOB_NAMES } from '../../src/jobs/job-schedules';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';
import { MetricsService } from '../../src/watchdog/metrics.service';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { BotHarness, callbackData } from './telegram-ux-harness';

// The safety-net polls are set to fire after days: every notice below arrives through commit wake-ups.
const NEVER = 999_999_999;
const OUTBOX_JOBS: string[] = [JOB_NAMES.vpnProvisioning, JOB_NAMES.notificationsDelivery];

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({
    cryptoPay: true,
    listen: true,
    imports: [WatchdogModule],
    env: {
      JOBS_ENABLED: 'true',
      JOB_INTERVALS: OUTBOX_JOBS.map((n) => `${n}=${NEVER}`).join(','),
      JOBS_DISABLED: Object.values(JOB_NAMES)
        .filter((n) => !OUTBOX_JOBS.includes(n))
        .join(','),
    },
  });
  await bot.until(() => bot.app.get(JobWakeupsService).status().connected);
});
afterAll(async () => {
  await bot?.stop();
});

const notices = (user: FakeUser) =>
  bot.telegram.sentTo(user.id, 'sendMessage').map((c) => String(c.params.text));

/** Waits for the key notice, then checks the notices' order, that each came once, and that no poll ran. */
async function expectKeyAfterPayment(user: FakeUser, paid: RegExp | undefined): Promise<void> {
  await bot.until(() => notices(user).some((t) => /key is ready/.test(t)));
  const { vpn_uuid } = (
    await bot.query<{ vpn_uuid: string }>('SELECT vpn_uuid FROM subscriptions WHERE user_id = $1', [user.id])
  )[0];
  const texts = notices(user);
  const key = texts.findIndex((t) => /key is ready/.test(t));
  expect(texts[key]).toContain(`<code>vless://${vpn_uuid}@vpn.example.test:443`);
  expect(texts.filter((t) => /key is ready/.test(t))).toHaveLength(1);
  // One message: the payment notice waited for the key and went out in its message.
  if (paid) {
    expect(texts.filter((t) => paid.test(t))).toHaveLength(1);
    expect(texts.findIndex((t) => paid.test(t))).toBe(key);
    expect(texts[key].indexOf('Payment received')).toBeLessThan(texts[key].indexOf('key is ready'));
  }
  for (const s of bot.app.get(JobRunnerService).status())
    if (OUTBOX_JOBS.includes(s.name)) expect(s, s.name).toMatchObject({ ticks: 0 });
}

describe('paid → key without waiting for a poll', () => {
  it('announces the payment and the key with its link in one message after a Stars payment', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id, languageCode: 'en' });
    await bot.tap(user, 'ps:1m');
    const [purchase] = await bot.query<{ id: string }>('SELECT id FROM purchases WHERE user_id = $1', [
      user.id,
    ]);
    await bot.handled(() => bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }));
    await bot.handled(() =>
      bot.telegram.successfulPayment(user, {
        payload: purchase.id,
        totalAmount: 150,
        chargeId: 'stxr_wake_1',
      }),
    );
    await expectKeyAfterPayment(user, /Payment received/);
  });

  it('announces the payment and the key after a Crypto Pay webhook reports the invoice paid', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id, languageCode: 'en' });
    await bot.tap(user, 'pc:1m');
    const [purchase] = await bot.query<{ provider_invoice_id: string }>(
      'SELECT provider_invoice_id FROM purchases WHERE user_id = $1',
      [user.id],
    );
    const invoiceId = Number(purchase.provider_invoice_id);
    bot.cryptoPay!.markPaid(invoiceId);
    const [delivery] = await bot.cryptoPay!.deliverWebhook(
      `${bot.url}/payments/crypto-pay/webhook`,
      invoiceId,
    );
    expect(delivery.status).toBe(200);
    await expectKeyAfterPayment(user, /Payment received/);
  });

  it('announces the payment and the key after a purchase from the balance', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id, balanceMinor: 50_000, languageCode: 'en' });
    const pay = callbackData(await bot.tap(user, 'pb:1m')).find((d) => d.startsWith('pbok:1m:'))!;
    await bot.tap(user, pay);
    await expectKeyAfterPayment(user, /Payment received/);
  });

  it('announces the key after the free trial starts', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    await expectKeyAfterPayment(user, undefined);
  });

  it('reports payment_to_key_seconds per provider and update_to_reply_seconds for the flows above', async () => {
    const metrics = bot.app.get(MetricsService);
    // The sample is taken right after the key notice is recorded as sent.
    await bot.until(async () =>
      /^payment_to_key_seconds_count\{provider="trial"\} 1$/m.test(await metrics.render()),
    );
    const text = await metrics.render();
    for (const provider of ['stars', 'crypto_pay', 'balance', 'trial'])
      expect(text, provider).toMatch(
        new RegExp(`^payment_to_key_seconds_count\\{provider="${provider}"\\} 1$`, 'm'),
      );
    const replies = Number(/^update_to_reply_seconds_count (\d+)$/m.exec(text)?.[1]);
    expect(replies).toBeGreaterThanOrEqual(8);
  });
});
