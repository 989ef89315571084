import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { startApp, type AppProcess } from '../support/app-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testEnv } from '../support/test-env';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = resolve(__dirname, '../../.tmp/artifacts');
if (!hasChromium) {
  const msg = `\n\n!!! ${CHROMIUM} is missing: the web chat test ${process.env.CI === 'true' ? 'FAILS (CI=true)' : 'is SKIPPED'}. Install Debian's chromium to run it. !!!\n\n`;
  process.stderr.write(msg);
}
// Skipped only on a developer machine without Chromium; on CI a missing browser is a failure.
const browserIt = it.skipIf(!hasChromium && process.env.CI !== 'true');

let db: TestDatabase;
let app: AppProcess;
let context: BrowserContext | undefined;
let profile: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ env: { BOT_TOKEN: undefined, DATABASE_URL: db.url, LOG_LEVEL: 'info' } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${app.baseUrl}/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline || app.proc.exitCode !== null)
      throw new Error(`the demo never served its page:\n${app.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mkdir(ARTIFACTS, { recursive: true });
  profile = await mkdtemp(join(tmpdir(), 'demo-chromium-'));
}, 90_000);

afterAll(async () => {
  await context?.close();
  await app?.stop();
  await db?.drop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function openChat(userId: number, lang: 'en' | 'ru', name?: string): Promise<Page> {
  context ??= await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${app.baseUrl}/`);
  await page.selectOption('#user', String(userId));
  await page.selectOption('#lang', lang);
  if (name !== undefined) await page.fill('#name', name);
  return page;
}

const newest = (page: Page, selector: string) => page.locator(selector).last();

async function trialToRenewal(userId: number, lang: 'en' | 'ru') {
  const t =
    lang === 'en'
      ? { keyReady: /key is ready/i, renewed: /renewed|payment received/i }
      : { keyReady: /ключ готов/i, renewed: /продлена|оплата получена/i };
  const page = await openChat(userId, lang);
  expect(await page.locator('#banner').textContent()).toContain('BOT_TOKEN=… npm start');
  await page.fill('#text', '/start');
  await page.press('#text', 'Enter');
  await newest(page, 'button[data-callback="trial"]').click();
  await page.locator('.msg.bot', { hasText: t.keyReady }).first().waitFor();

  await newest(page, 'button[data-callback="sub"]').click();
  await page.locator('.msg.bot', { hasText: 'vless://' }).first().waitFor();
  await newest(page, 'button[data-callback="sub:qr"]').click();
  const qr = newest(page, '.msg.bot img');
  await expect
    .poll(() => qr.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);

  await newest(page, 'button[data-callback="plans"]').click();
  await newest(page, 'button[data-callback="plan:1m"]').click();
  await newest(page, 'button[data-callback="pc:1m"]').click();
  await newest(page, 'button.crypto-invoice').click();
  await newest(page, 'button.pay-crypto').click();
  await page.locator('.checkout', { hasText: '✓' }).last().waitFor();
  await page.locator('.msg.bot', { hasText: t.renewed }).last().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, `demo-web-chat-${lang}.png`), fullPage: true });
  await page.close();
}

describe('demo web chat (no BOT_TOKEN)', () => {
  browserIt(
    'takes an English user from /start through the trial, the key and its QR code to a Crypto Pay renewal',
    async () => {
      await trialToRenewal(1002, 'en');
    },
    120_000,
  );

  browserIt(
    'does the same in Russian for a user whose Telegram is in Russian',
    async () => {
      await trialToRenewal(1003, 'ru');
    },
    120_000,
  );

  browserIt(
    'pays a Stars invoice from the page through pre-checkout and successful_payment',
    async () => {
      const page = await openChat(1004, 'en');
      await page.fill('#text', '/start');
      await page.press('#text', 'Enter');
      await newest(page, 'button[data-callback="plans"]').click();
      await newest(page, 'button[data-callback="plan:1m"]').click();
      await newest(page, 'button[data-callback="ps:1m"]').click();
      await newest(page, 'button.pay-stars').click();
      const notice = page.locator('.msg.bot', { hasText: /payment received/i }).last();
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toContain('⭐');
      await page.close();
    },
    90_000,
  );

  browserIt(
    'shows a first name with markup as text, never as a script',
    async () => {
      const name = '<script>alert(1)</script>';
      const page = await openChat(1001, 'en', name);
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      await page.fill('#text', '/start');
      await page.press('#text', 'Enter');
      const welcome = page.locator('.msg.bot', { hasText: 'Welcome' }).first();
      await welcome.waitFor();
      expect(await welcome.textContent()).toContain(name);
      expect(await page.locator('#chat script').count()).toBe(0);
      expect(dialogs).toBe(0);
      await page.close();
    },
    60_000,
  );
});

describe('with BOT_TOKEN set', () => {
  it('serves nothing of the demo', async () => {
    const telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
    const live = await startApp({ env: { DATABASE_URL: db.url, TELEGRAM_API_ROOT: telegram.apiRoot } });
    try {
      const deadline = Date.now() + 60_000;
      while (
        !(await fetch(`${live.baseUrl}/health/live`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline || live.proc.exitCode !== null) throw new Error(live.output().slice(-3000));
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const path of ['/', '/demo/api/users', '/demo/api/chat/1001?after=0', '/demo/api/photo/0'])
        expect((await fetch(`${live.baseUrl}${path}`)).status, path).toBe(404);
      const post = await fetch(`${live.baseUrl}/demo/api/chat/1001/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: '/start' }),
      });
      expect(post.status).toBe(404);
    } finally {
      await live.stop();
      await telegram.stop();
    }
  }, 90_000);
});
