import { z } from 'zod';
import { httpSecurityShape } from './http-security.schema';
import { currencyCode, defaultPlans, plansJson } from './plans.schema';
import { GENERATE, PLACEHOLDER, sharedSecret } from './shared-secret';
import { nodeTags, resolveVpnNodes, vpnNodeProblems, vpnNodesJson } from './vpn-nodes.schema';

const int = (opts: { min?: number; max?: number } = {}) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(opts.min ?? Number.MIN_SAFE_INTEGER, { error: `must be >= ${opts.min}` })
    .max(opts.max ?? Number.MAX_SAFE_INTEGER, { error: `must be <= ${opts.max}` });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export type { PlanConfig } from './plans.schema';

export const BOT_TOKEN_REQUIRED = 'is required (the token @BotFather gave you)';

/** Every environment variable the application reads. Names are part of the operator interface. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int({ min: 0, max: 65535 }).default(3000),
    HOST: z.string().min(1).default('::'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

    // Optional outside production only (AppConfig.fromEnv): without it the app runs in demo mode.
    BOT_TOKEN: z
      .string({ error: BOT_TOKEN_REQUIRED })
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { error: 'does not look like a bot token (<digits>:<secret>)' })
      .optional(),
    TELEGRAM_API_ROOT: z.url({ error: 'must be a URL' }).default('https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    WEBHOOK_SECRET: sharedSecret({
      min: 32,
      pattern: /^[A-Za-z0-9_-]{1,256}$/,
      charset: 'up to 256 characters of A-Z a-z 0-9 _ -',
    }).optional(),
    TELEGRAM_POLL_TIMEOUT_S: int({ min: 1, max: 50 }).default(25),
    TELEGRAM_POLL_MARGIN_MS: int({ min: 1_000, max: 60_000 }).default(10_000),
    TELEGRAM_API_TIMEOUT_MS: int({ min: 500, max: 60_000 }).default(10_000),
    TELEGRAM_WEBHOOK_MAX_CONNECTIONS: int({ min: 1, max: 100 }).default(40),
    TELEGRAM_WEBHOOK_MAX_BODY_BYTES: int({ min: 1_024, max: 10_485_760 }).default(262_144),
    TELEGRAM_WEBHOOK_DB_CONNECTIONS: int({ min: 1, max: 10 }).default(2),
    TELEGRAM_HANDLER_CONCURRENCY: int({ min: 1, max: 100 }).default(6),
    TELEGRAM_HANDLER_TIMEOUT_MS: int({ min: 100, max: 120_000 }).default(15_000),
    TELEGRAM_UPDATE_MAX_ATTEMPTS: int({ min: 1, max: 20 }).default(5),
    TELEGRAM_INBOX_RETENTION_HOURS: int({ min: 1, max: 24 * 90 }).default(72),
    TELEGRAM_SEND_RATE: int({ min: 1, max: 30 }).default(25),
    TELEGRAM_CHAT_MIN_INTERVAL_MS: int({ min: 0, max: 60_000 }).default(1_100),
    NOTIFICATIONS_INTERVAL_MS: int({ min: 200, max: 600_000 }).default(3_000),
    PAYMENT_NOTICE_KEY_WAIT_MS: int({ min: 0, max: 60_000 }).default(3_000),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL' })
      .optional(),
    DATABASE_LISTEN_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL' })
      .optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    ALLOW_EMBEDDED_DB: bool.default(false),
    EMBEDDED_POSTGRES_PORT: int({ min: 0, max: 65535 }).default(0),
    DB_POOL_SIZE: int({ min: 2, max: 200 }).default(10),
    DB_ACQUIRE_TIMEOUT_MS: int({ min: 100, max: 60_000 }).default(3_000),
    DB_STATEMENT_TIMEOUT_MS: int({ min: 100, max: 600_000 }).default(10_000),
    DB_IDLE_IN_TX_TIMEOUT_MS: int({ min: 100, max: 600_000 }).default(15_000),
    DB_APPLICATION_NAME: z.string().min(1).max(63).default('vpn-bot'),
    DB_HOLD_WARN_MS: int({ min: 10, max: 600_000 }).default(2_000),
    DB_READY_TIMEOUT_MS: int({ min: 50, max: 30_000 }).default(1_000),

    WATCHDOG_ACTION: z.enum(['recover', 'exit', 'report']).default('recover'),
    WATCHDOG_GRACE_MS: int({ min: 0, max: 3_600_000 }).default(60_000),
    WATCHDOG_LOOP_STALL_MS: int({ min: 200, max: 600_000 }).default(5_000),
    WATCHDOG_STALL_MS: int({ min: 1_000, max: 3_600_000 }).default(60_000),
    WATCHDOG_POOL_STARVATION_MS: int({ min: 500, max: 600_000 }).default(10_000),
    WATCHDOG_EXIT_AFTER_MS: int({ min: 1_000, max: 3_600_000 }).default(120_000),
    WATCHDOG_MAX_EXITS: int({ min: 1, max: 100 }).default(3),
    WATCHDOG_EXIT_WINDOW_MS: int({ min: 60_000, max: 86_400_000 }).default(900_000),
    METRICS_BASIC_AUTH: z
      .string()
      .regex(/^[^:]+:.+$/, { error: 'must be user:password' })
      .refine((v) => v.slice(v.indexOf(':') + 1).length >= 32, {
        error: `password must be at least 32 characters; ${GENERATE}`,
      })
      .refine((v) => !PLACEHOLDER.test(v.slice(v.indexOf(':') + 1)), {
        error: `password is a placeholder; ${GENERATE}`,
      })
      .optional(),
    DIAGNOSTICS: bool.default(false),

    JOBS_ENABLED: bool.default(true),
    JOBS_DISABLED: csv.default([]),
    JOBS_CONNECTION_BUDGET: int({ min: 1, max: 50 }).default(3),
    JOBS_WAKE_ON_COMMIT: bool.default(true),
    JOB_INTERVALS: csv
      .pipe(
        z.array(
          z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*=\d{3,9}$/, {
            error: 'entries are <job-name>=<milliseconds>, e.g. reminders=60000',
          }),
        ),
      )
      .default([]),

    TRIAL_DAYS: int({ min: 1, max: 90 }).default(3),
    TRIAL_NODE_TAGS: csv.pipe(nodeTags).default([]),
    PLANS: plansJson.default(defaultPlans),
    BALANCE_CURRENCY: currencyCode.default('RUB'),
    REFERRAL_PERCENT: int({ min: 0, max: 100 }).default(10),
    REFERRAL_REWARD_MODE: z.enum(['first', 'all']).default('first'),
    AUTO_RENEW_WINDOW_HOURS: int({ min: 1, max: 720 }).default(24),
    AUTO_RENEW_GRACE_HOURS: int({ min: 0, max: 168 }).default(6),
    PURCHASE_PENDING_TTL_MINUTES: int({ min: 1, max: 44_640 }).default(60),
    PURCHASES_PENDING_PER_HOUR_MAX: int({ min: 1, max: 1_000 }).default(5),
    GIFT_VALID_DAYS: int({ min: 1, max: 3_650 }).default(30),
    VPN_EMAIL_DOMAIN: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, {
        error: 'must be a lower-case domain name',
      })
      .default('vpn.local'),

    VPN_NODES: vpnNodesJson.optional(),
    VPN_NODES_FILE: z.string().min(1).optional(),
    VPN_PROVIDER: z.enum(['xray-grpc', 'http-agent']).default('xray-grpc'),
    XRAY_API_ADDRESS: z
      .string()
      .regex(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, {
        error: 'must be host:port of the API inbound',
      })
      .default('127.0.0.1:10085'),
    XRAY_INBOUND_TAG: z.string().min(1).default('vless-in'),
    XRAY_PROTO_NAMESPACE: z.enum(['xray', 'v2ray.core']).default('xray'),
    VPN_API_TIMEOUT_MS: int({ min: 100, max: 60_000 }).default(3_000),
    VPN_AGENT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    VPN_AGENT_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    VPN_SENTINEL_EMAIL: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._+@-]{0,127}$/)
      .default('sentinel@vpn.local'),
    VPN_PUBLIC_HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP' })
      .optional(),
    VPN_PUBLIC_PORT: int({ min: 1, max: 65535 }).default(443),
    VPN_SECURITY: z.enum(['none', 'tls', 'reality']).default('none'),
    VPN_SNI: z.string().min(1).optional(),
    VPN_REALITY_PUBLIC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be the x25519 public key' })
      .optional(),
    VPN_REALITY_SHORT_ID: z
      .string()
      .regex(/^[0-9a-f]{0,16}$/, { error: 'must be up to 16 hex digits' })
      .optional(),
    VPN_FLOW: z.enum(['xtls-rprx-vision']).optional(),
    VPN_FINGERPRINT: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .default('chrome'),
    VPN_TRANSPORT: z.enum(['tcp', 'ws', 'grpc']).default('tcp'),
    VPN_TRANSPORT_PATH: z.string().min(1).optional(),
    VPN_LINK_LABEL: z.string().min(1).max(64).default('VPN'),
    VPN_SUB_UPDATE_HOURS: int({ min: 1, max: 168 }).default(12),
    VPN_OUTBOX_BATCH: int({ min: 1, max: 1_000 }).default(50),
    VPN_OUTBOX_INTERVAL_MS: int({ min: 100, max: 600_000 }).default(2_000),
    VPN_MAX_ATTEMPTS: int({ min: 1, max: 1_000 }).default(12),
    VPN_CIRCUIT_THRESHOLD: int({ min: 1, max: 1_000 }).default(5),
    VPN_CIRCUIT_HALF_OPEN_MS: int({ min: 100, max: 3_600_000 }).default(30_000),
    VPN_RECONCILE_INTERVAL_MS: int({ min: 1_000, max: 86_400_000 }).default(600_000),
    VPN_ORPHAN_GRACE_MS: int({ min: 0, max: 86_400_000 }).default(300_000),
    TRAFFIC_INTERVAL_MS: int({ min: 1_000, max: 3_600_000 }).default(60_000),
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    SUB_ANNOUNCE: z.string().trim().min(1).max(200).optional(),
    SUB_BOT_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://t.me/<bot>' })
      .optional(),

    CRYPTO_PAY_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, {
        error: 'does not look like a Crypto Pay app token (<digits>:<secret>)',
      })
      .optional(),
    CRYPTO_PAY_API_ROOT: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('https://pay.crypt.bot/api'),
    CRYPTO_PAY_ACCEPTED_ASSETS: csv
      .pipe(z.array(z.string().regex(/^[A-Z]{2,10}$/, { error: 'assets are upper-case tickers' })).min(1))
      .default(['USDT', 'TON', 'BTC']),
    CRYPTO_PAY_INVOICE_TTL_S: int({ min: 60, max: 2_678_400 }).default(3_600),
    CRYPTO_PAY_TIMEOUT_MS: int({ min: 100, max: 60_000 }).default(5_000),
    CRYPTO_PAY_WATCH_INTERVAL_MS: int({ min: 1_000, max: 3_600_000 }).default(30_000),
    CRYPTO_PAY_WEBHOOK_MAX_AGE_S: int({ min: 0, max: 604_800 }).default(0),
    STARS_ENABLED: bool.default(true),

    ADMIN_IDS: csv
      .pipe(z.array(z.string().regex(/^\d{1,15}$/, { error: 'admin ids are numeric Telegram user ids' })))
      .default([]),
    SUPPORT_CONTACT: z.string().min(1).max(200).default('@support'),
    LOCALES_DIR: z.string().min(1).optional(),
    REQUIRED_CHANNEL: z
      .string()
      .regex(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,16})$/, {
        error: 'must be a channel @username or its numeric id (-100…)',
      })
      .optional(),
    TOPUP_AMOUNTS: csv
      .pipe(
        z
          .array(z.string().regex(/^[1-9]\d{0,6}$/, { error: 'top-up amounts are whole numbers' }))
          .min(1)
          .max(8),
      )
      .default(['100', '300', '500', '1000']),
    TOPUP_MIN_AMOUNT: int({ min: 1, max: 10_000_000 }).default(50),
    TOPUP_MAX_AMOUNT: int({ min: 1, max: 10_000_000 }).default(100_000),
    STARS_TOPUP_MINOR_PER_STAR: int({ min: 1, max: 1_000_000 }).default(130),
    KEY_REISSUE_COOLDOWN_MINUTES: int({ min: 0, max: 10_080 }).default(10),
    BROADCAST_INTERVAL_MS: int({ min: 200, max: 600_000 }).default(5_000),

    SHUTDOWN_DRAIN_MS: int({ min: 0, max: 120_000 }).default(10_000),
    ...httpSecurityShape,
  })
  .superRefine((cfg, ctx) => {
    // An embedded database in production is usually a forgotten DATABASE_URL: data would live in the container.
    if (cfg.NODE_ENV === 'production' && !cfg.DATABASE_URL && !cfg.ALLOW_EMBEDDED_DB) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required in production; set ALLOW_EMBEDDED_DB=true to run the embedded PostgreSQL under DATA_DIR (a persistent volume)',
      });
    }
    if (cfg.TELEGRAM_MODE === 'webhook') {
      for (const key of ['WEBHOOK_URL', 'WEBHOOK_SECRET'] as const) {
        if (!cfg[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'is required when TELEGRAM_MODE=webhook' });
      }
    }
    if (cfg.TELEGRAM_HANDLER_CONCURRENCY >= cfg.DB_POOL_SIZE - cfg.JOBS_CONNECTION_BUDGET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_HANDLER_CONCURRENCY'],
        message: `must stay below DB_POOL_SIZE - JOBS_CONNECTION_BUDGET (${cfg.DB_POOL_SIZE - cfg.JOBS_CONNECTION_BUDGET}) so handlers cannot exhaust the pool`,
      });
    }
    if (cfg.TOPUP_MIN_AMOUNT > cfg.TOPUP_MAX_AMOUNT) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOPUP_MIN_AMOUNT'],
        message: `must not exceed TOPUP_MAX_AMOUNT (${cfg.TOPUP_MAX_AMOUNT})`,
      });
    }
    if (cfg.HTTP_CONNECTION_BUDGET >= cfg.DB_POOL_SIZE - cfg.JOBS_CONNECTION_BUDGET) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_CONNECTION_BUDGET'],
        message: `must stay below DB_POOL_SIZE - JOBS_CONNECTION_BUDGET (${cfg.DB_POOL_SIZE - cfg.JOBS_CONNECTION_BUDGET}) so public requests cannot take the update path's connections`,
      });
    }
    if (cfg.NODE_ENV === 'production' && !cfg.METRICS_BASIC_AUTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_BASIC_AUTH'],
        message: `is required when NODE_ENV=production (metrics name users' activity); use prometheus:<password>, ${GENERATE}`,
      });
    }
    if (cfg.JOBS_CONNECTION_BUDGET >= cfg.DB_POOL_SIZE) {
      ctx.addIssue({
        code: 'custom',
        path: ['JOBS_CONNECTION_BUDGET'],
        message: `must be smaller than DB_POOL_SIZE (${cfg.DB_POOL_SIZE}) so jobs can never starve the update path`,
      });
    }
    for (const plan of cfg.PLANS) {
      if (plan.enabled && plan.prices[cfg.BALANCE_CURRENCY] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['PLANS'],
          message: `plan ${plan.code} has no price in BALANCE_CURRENCY (${cfg.BALANCE_CURRENCY}), needed to pay from balance`,
        });
      }
    }
  })
  .superRefine((cfg, ctx) => {
    const need = (cond: boolean, key: keyof typeof cfg, why: string) => {
      if (cond && cfg[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` });
    };
    if (cfg.VPN_NODES) {
      for (const [path, message] of vpnNodeProblems(resolveVpnNodes(cfg.VPN_NODES, cfg)))
        ctx.addIssue({ code: 'custom', path, message });
      return;
    }
    need(cfg.VPN_PROVIDER === 'http-agent', 'VPN_AGENT_URL', 'when VPN_PROVIDER=http-agent');
    need(cfg.VPN_PROVIDER === 'http-agent', 'VPN_AGENT_TOKEN', 'when VPN_PROVIDER=http-agent');
    need(cfg.VPN_SECURITY === 'reality', 'VPN_REALITY_PUBLIC_KEY', 'when VPN_SECURITY=reality');
    need(cfg.VPN_SECURITY === 'reality', 'VPN_SNI', 'when VPN_SECURITY=reality');
  });

export type Env = z.output<typeof configSchema>;

export const secretKeys = [
  'BOT_TOKEN',
  'DATABASE_URL',
  'DATABASE_LISTEN_URL',
  'WEBHOOK_SECRET',
  'VPN_AGENT_TOKEN',
  'VPN_NODES',
  'CRYPTO_PAY_TOKEN',
  'METRICS_BASIC_AUTH',
] as const satisfies readonly (keyof Env)[];
