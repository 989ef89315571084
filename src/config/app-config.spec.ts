import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigError } from './app-config';

const demoAddresses = {
  telegramApiRoot: 'http://127.0.0.1:1111',
  cryptoPayToken: '1:abcdefghijklmnopqrstuvwxyz',
  cryptoPayApiRoot: 'http://127.0.0.1:2222/api',
  xrayApiAddress: '127.0.0.1:3333',
  xrayInboundTag: 'vless-in',
  vlessPort: 4444,
  adminId: 1001,
};
const valid = { BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

describe('AppConfig', () => {
  it('applies defaults for everything optional', () => {
    const c = AppConfig.fromEnv(valid);
    expect(c.http.port).toBe(3000);
    expect(c.database.poolSize).toBe(10);
    expect(c.database.url).toBeUndefined();
    expect(c.jobs.connectionBudget).toBeLessThan(c.database.poolSize);
  });

  it('lists every problem at once instead of stopping at the first', () => {
    let error: unknown;
    try {
      // In production: elsewhere a missing BOT_TOKEN means demo mode, not a problem.
      AppConfig.fromEnv({
        NODE_ENV: 'production',
        PORT: 'eighty',
        DB_POOL_SIZE: '1',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['BOT_TOKEN', 'PORT', 'DB_POOL_SIZE', 'LOG_LEVEL', 'DATABASE_URL']) {
      expect(problems).toContain(key);
    }
    expect((error as ConfigError).message).toMatch(/^Invalid configuration \(5 problems\)/);
  });

  it('never echoes a secret value in its error message', () => {
    const secret = 'postgres://admin:hunter2@db/x';
    try {
      AppConfig.fromEnv({ BOT_TOKEN: 'not-a-token-hunter2', DATABASE_URL: secret, PORT: '-1' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('treats empty strings as unset so defaults apply', () => {
    expect(AppConfig.fromEnv({ ...valid, PORT: '', DATABASE_URL: '' }).http.port).toBe(3000);
  });

  it('refuses a job connection budget that could starve the pool', () => {
    expect(() => AppConfig.fromEnv({ ...valid, DB_POOL_SIZE: '4', JOBS_CONNECTION_BUDGET: '4' })).toThrow(
      /JOBS_CONNECTION_BUDGET: must be smaller than DB_POOL_SIZE/,
    );
  });

  it('masks secrets in the printable configuration', () => {
    const c = AppConfig.fromEnv({ ...valid, DATABASE_URL: 'postgres://u:pw@h/db' });
    expect(c.redacted()).toMatchObject({ BOT_TOKEN: '***', DATABASE_URL: '***' });
    expect(JSON.stringify(c.redacted())).not.toContain(valid.BOT_TOKEN);
  });

  it('refuses production without DATABASE_URL unless the embedded database is allowed explicitly', () => {
    const production = {
      ...valid,
      NODE_ENV: 'production',
      METRICS_BASIC_AUTH: `prometheus:${'9a'.repeat(16)}`,
    };
    expect(() => AppConfig.fromEnv({ ...production })).toThrow(/DATABASE_URL.*ALLOW_EMBEDDED_DB=true/);
    const allowed = AppConfig.fromEnv({ ...production, ALLOW_EMBEDDED_DB: 'true' });
    expect(allowed.database.url).toBeUndefined();
    const withUrl = AppConfig.fromEnv({ ...production, DATABASE_URL: 'postgres://db/x' });
    expect(withUrl.isProduction).toBe(true);
  });

  it('listens dual stack unless HOST says otherwise', () => {
    expect(AppConfig.fromEnv(valid).http.host).toBe('::');
    expect(AppConfig.fromEnv({ ...valid, HOST: '127.0.0.1' }).http.host).toBe('127.0.0.1');
  });

  it('refuses a placeholder or short webhook secret and says how to generate one', () => {
    const webhook = {
      ...valid,
      TELEGRAM_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
    };
    for (const secret of [
      'replace-with-a-long-random-string',
      'short-but-valid-chars-012345678',
      'a'.repeat(31),
    ]) {
      expect(() => AppConfig.fromEnv({ ...webhook, WEBHOOK_SECRET: secret }), secret).toThrow(
        /WEBHOOK_SECRET: .*openssl rand -hex 32/,
      );
    }
    const good = 'f3b1c2d4e5a6978812345678abcdef0123456789abcdef0123456789abcdef01';
    expect(AppConfig.fromEnv({ ...webhook, WEBHOOK_SECRET: good }).telegram.webhookSecret).toBe(good);
  });

  it('refuses a placeholder or short metrics password', () => {
    for (const auth of ['prometheus:replace-me', 'prometheus:hunter2']) {
      expect(() => AppConfig.fromEnv({ ...valid, METRICS_BASIC_AUTH: auth }), auth).toThrow(
        /METRICS_BASIC_AUTH: .*openssl rand -hex 32/,
      );
    }
    const good = `prometheus:${'9a'.repeat(16)}`;
    expect(AppConfig.fromEnv({ ...valid, METRICS_BASIC_AUTH: good }).watchdog.metricsBasicAuth).toBe(good);
  });

  it('runs in demo mode without BOT_TOKEN outside production', () => {
    const c = AppConfig.fromEnv({});
    expect(c.demo).toBe(true);
    expect(AppConfig.fromEnv(valid).demo).toBe(false);
  });

  it('keeps a missing BOT_TOKEN a configuration error in production', () => {
    expect(() => AppConfig.fromEnv({ NODE_ENV: 'production', ALLOW_EMBEDDED_DB: 'true' })).toThrow(
      /BOT_TOKEN: is required \(the token @BotFather gave you\)/,
    );
  });

  it("points the demo at its stand-ins and keeps the operator's own settings", () => {
    const c = AppConfig.fromEnv({ PORT: '4000', NOTIFICATIONS_INTERVAL_MS: '900' }).withDemoServices(
      demoAddresses,
    );
    expect(c.demo).toBe(true);
    expect(c.telegram.apiRoot).toBe('http://127.0.0.1:1111');
    expect(c.cryptoPay.enabled).toBe(true);
    expect(c.vpn.xray.address).toBe('127.0.0.1:3333');
    expect(c.vpn.link.host).toBe('127.0.0.1');
    expect(c.vpn.publicBaseUrl).toBe('http://localhost:4000');
    expect([...c.bot.adminIds]).toEqual([1001]);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.telegram.notificationsIntervalMs).toBe(900);
    expect(AppConfig.fromEnv({ HOST: '0.0.0.0' }).withDemoServices(demoAddresses).http.host).toBe('0.0.0.0');
  });
});
