import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../src/database/embedded-postgres';
import { FakeCryptoPay } from '../src/demo/fake-crypto-pay';
import { FakeTelegram, type SentCall } from '../src/demo/fake-telegram';
import { FakeXrayCore } from '../src/demo/fake-xray-core';
import { buttonsOf, textOf } from '../test/support/bot-messages';

const BOT_TOKEN = '123456:sandbox-token-abcdefghijklmnopqrstuvwxyz';
const HELP = `Type what a Telegram user would type (/start, /menu, 250, …). Sandbox commands:
  :press N      press button N of the newest message that has buttons
  :pay          pay the newest Crypto Pay invoice (signed webhook to the bot)
  :stars        pay the newest Stars invoice (pre-checkout, then successful_payment)
  :user ID [ru] talk as another user (optionally with Russian as Telegram language)
  :admin        talk as the admin (user 1, in ADMIN_IDS)
  :help         this text          Ctrl+C  stop everything`;

/**
 * `npm run sandbox`: the real bot (built app, embedded PostgreSQL under .data/sandbox) against the project's own
 * fakes of the Telegram Bot API, Crypto Pay and an Xray core, driven from the terminal: try a flow end to end
 * without a bot token, a payment account or a VPN server. Everything listens on 127.0.0.1 only.
 */
async function main(): Promise<void> {
  const tg = await new FakeTelegram({ token: BOT_TOKEN }).start();
  const pay = await new FakeCryptoPay().start();
  const core = await new FakeXrayCore('xray', 'vless-in').start();
  const port = Number(process.env.PORT ?? (await freePort()));
  const app = spawn(process.execPath, [resolve(__dirname, '../src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      LOG_FORMAT: 'pretty',
      PORT: String(port),
      DATA_DIR: process.env.DATA_DIR ?? '.data/sandbox',
      BOT_TOKEN,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '2',
      TELEGRAM_CHAT_MIN_INTERVAL_MS: '0',
      NOTIFICATIONS_INTERVAL_MS: '500',
      ADMIN_IDS: '1',
      CRYPTO_PAY_TOKEN: pay.token,
      CRYPTO_PAY_API_ROOT: pay.apiRoot,
      CRYPTO_PAY_WATCH_INTERVAL_MS: '5000',
      XRAY_API_ADDRESS: core.apiAddress,
      XRAY_INBOUND_TAG: 'vless-in',
      VPN_OUTBOX_INTERVAL_MS: '500',
      VPN_PUBLIC_HOST: '127.0.0.1',
      VPN_PUBLIC_PORT: String(core.vlessPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  let user = { id: 1000, firstName: 'Sandy', username: 'sandy', languageCode: 'en' };
  let shown = 0;
  const printer = setInterval(() => {
    for (; shown < tg.sent.length; shown++) print(tg.sent[shown]);
  }, 100);

  const stop = async (code = 0) => {
    clearInterval(printer);
    if (app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((r) => app.once('exit', r));
    }
    await Promise.all([tg.stop(), pay.stop(), core.stop()]);
    process.exit(code);
  };
  app.once('exit', (code) => {
    if (code !== 0 && code !== null) void stop(code);
  });
  process.once('SIGINT', () => void stop());

  console.log(
    `sandbox: bot on http://127.0.0.1:${port} (health: /health/ready), fakes on 127.0.0.1\n${HELP}`,
  );
  const rl = createInterface({ input: process.stdin });
  rl.on('close', () => void stop());
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    try {
      const [cmd, ...args] = line.split(/\s+/);
      if (cmd === ':help') console.log(HELP);
      else if (cmd === ':press') press(Number(args[0]));
      else if (cmd === ':user')
        user = { ...user, id: Number(args[0]), firstName: `User${args[0]}`, languageCode: args[1] ?? 'en' };
      else if (cmd === ':admin') user = { ...user, id: 1, firstName: 'Admin' };
      else if (cmd === ':pay') await payCrypto();
      else if (cmd === ':stars') payStars();
      else tg.userMessage(user, line);
    } catch (err) {
      console.log(`sandbox: ${(err as Error).message}`);
    }
  }

  function print(c: SentCall): void {
    const chat = c.params.chat_id === undefined ? '' : ` → ${String(c.params.chat_id)}`;
    // Telegram HTML as terminal text: tags dropped, entities decoded once (`&amp;` in a link shows as `&`).
    const text = textOf(c)
      .replace(/<[^>]+>/g, '')
      .replace(/&(lt|gt|quot|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e] ?? '');
    const buttons = buttonsOf(c).map((b, i) => `[${i + 1}] ${b.text}${b.url ? ` (${b.url})` : ''}`);
    console.log(`bot ${c.method}${chat}: ${text}${buttons.length ? `\n    ${buttons.join('  ')}` : ''}`);
  }

  function press(n: number): void {
    const withButtons = tg.sentTo(user.id).filter((c) => buttonsOf(c).some((b) => b.callback_data));
    const last = withButtons[withButtons.length - 1];
    const b = last && buttonsOf(last)[n - 1];
    if (!b?.callback_data) throw new Error(`no button ${n} on the newest message with buttons`);
    tg.pressButton(user, b.callback_data, Number(last.params.message_id ?? 1));
  }

  async function payCrypto(): Promise<void> {
    const id = [...pay.invoices.keys()].pop();
    if (id === undefined) throw new Error('no Crypto Pay invoice yet');
    pay.markPaid(id);
    const [d] = await pay.deliverWebhook(`http://127.0.0.1:${port}/payments/crypto-pay/webhook`, id);
    console.log(`sandbox: invoice ${id} paid, webhook answered ${d?.status}`);
  }

  function payStars(): void {
    const invoice = tg.sentTo(user.id, 'sendInvoice').pop();
    if (!invoice) throw new Error('no Stars invoice for this user yet');
    const p = invoice.params as { payload: string; prices: unknown };
    const prices = (typeof p.prices === 'string' ? JSON.parse(p.prices) : p.prices) as { amount: number }[];
    const total = prices.reduce((a, x) => a + x.amount, 0);
    tg.preCheckout(user, { payload: p.payload, totalAmount: total });
    setTimeout(
      () =>
        tg.successfulPayment(user, {
          payload: p.payload,
          totalAmount: total,
          chargeId: `sandbox-${Date.now()}`,
        }),
      1_000,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
