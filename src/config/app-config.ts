import { readFileSync } from 'node:fs';
import { BOT_TOKEN_REQUIRED, configSchema, secretKeys, type Env } from './config.schema';
import { resolveVpnNodes, type VpnNodeConfig } from './vpn-nodes.schema';

export const DEMO_BOT_TOKEN = '100000:demo-token-not-a-real-bot-abcdefghij';

export interface DemoServiceAddresses {
  telegramApiRoot: string;
  cryptoPayToken: string;
  cryptoPayApiRoot: string;
  xrayApiAddress: string;
  xrayInboundTag: string;
  vlessPort: number;
  adminId: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export class AppConfig {
  private constructor(
    private readonly env: Env,
    private readonly source: Record<string, string>,
    private readonly demoMode = env.BOT_TOKEN === undefined,
  ) {}

  static fromEnv(source: NodeJS.ProcessEnv = process.env): AppConfig {
    // Empty strings count as unset: orchestrators often render missing values as "".
    const cleaned = Object.fromEntries(
      Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
    );
    const fileProblem = readNodesFile(cleaned);
    if (fileProblem) throw new ConfigError([fileProblem]);
    const parsed = configSchema.safeParse(cleaned);
    const problems = parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const key = nodeLabel(issue.path, cleaned.VPN_NODES) ?? (issue.path.join('.') || '(config)');
          // zod never echoes secret values in its messages, but keep the key only to be sure.
          return `${key}: ${issue.message}`;
        });
    // Checked here, not in the schema, so it is reported even when other fields fail: production never demos.
    if (cleaned.NODE_ENV === 'production' && cleaned.BOT_TOKEN === undefined)
      problems.unshift(`BOT_TOKEN: ${BOT_TOKEN_REQUIRED}`);
    if (!parsed.success || problems.length) throw new ConfigError(problems);
    return new AppConfig(parsed.data, cleaned);
  }

  /** Operator values over demo defaults; stand-in addresses always win (never a real service). */
  withDemoServices(s: DemoServiceAddresses): AppConfig {
    const defaults: Record<string, string> = {
      HOST: '127.0.0.1',
      ADMIN_IDS: String(s.adminId),
      TELEGRAM_POLL_TIMEOUT_S: '2',
      TELEGRAM_CHAT_MIN_INTERVAL_MS: '0',
      NOTIFICATIONS_INTERVAL_MS: '500',
      VPN_OUTBOX_INTERVAL_MS: '500',
      CRYPTO_PAY_WATCH_INTERVAL_MS: '5000',
    };
    const services: Record<string, string> = {
      BOT_TOKEN: DEMO_BOT_TOKEN,
      TELEGRAM_API_ROOT: s.telegramApiRoot,
      TELEGRAM_MODE: 'polling',
      CRYPTO_PAY_TOKEN: s.cryptoPayToken,
      CRYPTO_PAY_API_ROOT: s.cryptoPayApiRoot,
      VPN_PROVIDER: 'xray-grpc',
      XRAY_API_ADDRESS: s.xrayApiAddress,
      XRAY_INBOUND_TAG: s.xrayInboundTag,
      XRAY_PROTO_NAMESPACE: 'xray',
      VPN_PUBLIC_HOST: '127.0.0.1',
      VPN_PUBLIC_PORT: String(s.vlessPort),
      VPN_SECURITY: 'none',
      PUBLIC_BASE_URL: `http://localhost:${this.env.PORT}`,
    };
    const merged = { ...defaults, ...this.source, ...services };
    return new AppConfig(configSchema.parse(merged), merged, true);
  }

  /** No BOT_TOKEN outside production: the app runs against the built-in stand-ins and serves a web chat. */
  get demo(): boolean {
    return this.demoMode;
  }

  get nodeEnv() {
    return this.env.NODE_ENV;
  }
  get isProduction() {
    return this.env.NODE_ENV === 'production';
  }

  get http() {
    const e = this.env;
    return {
      port: e.PORT,
      host: e.HOST,
      shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
      trustedProxies: e.TRUSTED_PROXY_CIDRS,
      connectionBudget: e.HTTP_CONNECTION_BUDGET,
      rateLimit: {
        windowMs: e.RATE_LIMIT_WINDOW_S * 1_000,
        sub: e.RATE_LIMIT_SUB,
        health: e.RATE_LIMIT_HEALTH,
        paymentWebhook: e.RATE_LIMIT_PAYMENT_WEBHOOK,
      },
      logClientIps: e.LOG_CLIENT_IPS,
    };
  }

  get log() {
    return {
      level: this.env.LOG_LEVEL,
      format: this.env.LOG_FORMAT ?? (this.isProduction ? 'json' : 'pretty'),
    } as const;
  }

  get telegram() {
    const e = this.env;
    return {
      botToken: e.BOT_TOKEN ?? DEMO_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      mode: e.TELEGRAM_MODE,
      webhookUrl: e.WEBHOOK_URL,
      webhookSecret: e.WEBHOOK_SECRET,
      pollTimeoutS: e.TELEGRAM_POLL_TIMEOUT_S,
      pollMarginMs: e.TELEGRAM_POLL_MARGIN_MS,
      apiTimeoutMs: e.TELEGRAM_API_TIMEOUT_MS,
      webhookMaxConnections: e.TELEGRAM_WEBHOOK_MAX_CONNECTIONS,
      webhookMaxBodyBytes: e.TELEGRAM_WEBHOOK_MAX_BODY_BYTES,
      /** The webhook intake's own pool (group commit), outside DB_POOL_SIZE. */
      webhookDbConnections: e.TELEGRAM_WEBHOOK_DB_CONNECTIONS,
      handlerConcurrency: e.TELEGRAM_HANDLER_CONCURRENCY,
      handlerTimeoutMs: e.TELEGRAM_HANDLER_TIMEOUT_MS,
      updateMaxAttempts: e.TELEGRAM_UPDATE_MAX_ATTEMPTS,
      inboxRetentionHours: e.TELEGRAM_INBOX_RETENTION_HOURS,
      sendRatePerSecond: e.TELEGRAM_SEND_RATE,
      chatMinIntervalMs: e.TELEGRAM_CHAT_MIN_INTERVAL_MS,
      notificationsIntervalMs: e.NOTIFICATIONS_INTERVAL_MS,
    };
  }

  get database() {
    return {
      url: this.env.DATABASE_URL,
      dataDir: this.env.DATA_DIR,
      embeddedPort: this.env.EMBEDDED_POSTGRES_PORT,
      poolSize: this.env.DB_POOL_SIZE,
      acquireTimeoutMs: this.env.DB_ACQUIRE_TIMEOUT_MS,
      statementTimeoutMs: this.env.DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: this.env.DB_IDLE_IN_TX_TIMEOUT_MS,
      applicationName: this.env.DB_APPLICATION_NAME,
      holdWarnMs: this.env.DB_HOLD_WARN_MS,
      readyTimeoutMs: this.env.DB_READY_TIMEOUT_MS,
    };
  }

  get watchdog() {
    const e = this.env;
    return {
      action: e.WATCHDOG_ACTION,
      graceMs: e.WATCHDOG_GRACE_MS,
      loopStallMs: e.WATCHDOG_LOOP_STALL_MS,
      stallMs: e.WATCHDOG_STALL_MS,
      poolStarvationMs: e.WATCHDOG_POOL_STARVATION_MS,
      exitAfterMs: e.WATCHDOG_EXIT_AFTER_MS,
      maxExits: e.WATCHDOG_MAX_EXITS,
      exitWindowMs: e.WATCHDOG_EXIT_WINDOW_MS,
      metricsBasicAuth: e.METRICS_BASIC_AUTH,
      diagnostics: e.DIAGNOSTICS,
    };
  }

  get jobs() {
    return {
      enabled: this.env.JOBS_ENABLED,
      disabled: new Set(this.env.JOBS_DISABLED),
      connectionBudget: this.env.JOBS_CONNECTION_BUDGET,
      wakeOnCommit: this.env.JOBS_WAKE_ON_COMMIT,
      /** The LISTEN connection's database (a session; PgBouncer in transaction mode cannot carry it). */
      listenUrl: this.env.DATABASE_LISTEN_URL,
      intervals: new Map(
        this.env.JOB_INTERVALS.map((entry) => {
          const [name, ms] = entry.split('=');
          return [name, Number(ms)] as const;
        }),
      ),
    };
  }

  get subscriptions() {
    return {
      trialDays: this.env.TRIAL_DAYS,
      trialNodeTags: this.env.TRIAL_NODE_TAGS,
      plans: this.env.PLANS,
      vpnEmailDomain: this.env.VPN_EMAIL_DOMAIN,
    };
  }

  get payments() {
    return {
      balanceCurrency: this.env.BALANCE_CURRENCY,
      referralPercent: this.env.REFERRAL_PERCENT,
      referralRewardMode: this.env.REFERRAL_REWARD_MODE,
      autoRenewWindowHours: this.env.AUTO_RENEW_WINDOW_HOURS,
      autoRenewGraceHours: this.env.AUTO_RENEW_GRACE_HOURS,
      purchasePendingTtlMinutes: this.env.PURCHASE_PENDING_TTL_MINUTES,
      pendingPerHourMax: this.env.PURCHASES_PENDING_PER_HOUR_MAX,
      giftValidDays: this.env.GIFT_VALID_DAYS,
      /** How long "payment received" for a new key waits to go out in the key's message instead. */
      paymentNoticeKeyWaitMs: this.env.PAYMENT_NOTICE_KEY_WAIT_MS,
    };
  }

  get vpn() {
    const e = this.env;
    return {
      /** The fleet: VPN_NODES, or one node from the single-core variables. The first is the default node. */
      nodes: resolveVpnNodes(e.VPN_NODES, e) as readonly VpnNodeConfig[],
      provider: e.VPN_PROVIDER,
      xray: {
        address: e.XRAY_API_ADDRESS,
        inboundTag: e.XRAY_INBOUND_TAG,
        namespace: e.XRAY_PROTO_NAMESPACE,
      },
      agent: { url: e.VPN_AGENT_URL, token: e.VPN_AGENT_TOKEN },
      timeoutMs: e.VPN_API_TIMEOUT_MS,
      sentinelEmail: e.VPN_SENTINEL_EMAIL,
      link: {
        host: e.VPN_PUBLIC_HOST,
        port: e.VPN_PUBLIC_PORT,
        security: e.VPN_SECURITY,
        sni: e.VPN_SNI,
        realityPublicKey: e.VPN_REALITY_PUBLIC_KEY,
        realityShortId: e.VPN_REALITY_SHORT_ID,
        flow: e.VPN_FLOW,
        fingerprint: e.VPN_FINGERPRINT,
        transport: e.VPN_TRANSPORT,
        transportPath: e.VPN_TRANSPORT_PATH,
        label: e.VPN_LINK_LABEL,
      },
      subscriptionUpdateHours: e.VPN_SUB_UPDATE_HOURS,
      publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      feed: {
        announce: e.SUB_ANNOUNCE,
        botUrl: e.SUB_BOT_URL,
        supportUrl: supportUrlOf(e.SUPPORT_CONTACT),
      },
      outbox: {
        batch: e.VPN_OUTBOX_BATCH,
        intervalMs: e.VPN_OUTBOX_INTERVAL_MS,
        maxAttempts: e.VPN_MAX_ATTEMPTS,
        circuitThreshold: e.VPN_CIRCUIT_THRESHOLD,
        circuitHalfOpenMs: e.VPN_CIRCUIT_HALF_OPEN_MS,
      },
      reconcile: { intervalMs: e.VPN_RECONCILE_INTERVAL_MS, orphanGraceMs: e.VPN_ORPHAN_GRACE_MS },
      trafficIntervalMs: e.TRAFFIC_INTERVAL_MS,
    } as const;
  }

  get cryptoPay() {
    const e = this.env;
    return {
      enabled: e.CRYPTO_PAY_TOKEN !== undefined,
      token: e.CRYPTO_PAY_TOKEN,
      apiRoot: e.CRYPTO_PAY_API_ROOT.replace(/\/+$/, ''),
      acceptedAssets: e.CRYPTO_PAY_ACCEPTED_ASSETS,
      invoiceTtlS: e.CRYPTO_PAY_INVOICE_TTL_S,
      timeoutMs: e.CRYPTO_PAY_TIMEOUT_MS,
      watchIntervalMs: e.CRYPTO_PAY_WATCH_INTERVAL_MS,
      webhookMaxAgeS: e.CRYPTO_PAY_WEBHOOK_MAX_AGE_S,
    } as const;
  }

  get stars() {
    return { enabled: this.env.STARS_ENABLED } as const;
  }

  get bot() {
    const e = this.env;
    return {
      adminIds: new Set(e.ADMIN_IDS.map(Number)),
      supportContact: e.SUPPORT_CONTACT,
      localesDir: e.LOCALES_DIR,
      /** The trial is given only to members of this channel (the bot must be one of its admins). */
      requiredChannel: e.REQUIRED_CHANNEL,
      /** Top-up buttons, in minor units of the balance currency. */
      topupAmountsMinor: e.TOPUP_AMOUNTS.map((a) => Number(a) * 100),
      /** Range of a top-up amount the user types, in minor units of the balance currency. */
      topupMinMinor: e.TOPUP_MIN_AMOUNT * 100,
      topupMaxMinor: e.TOPUP_MAX_AMOUNT * 100,
      /** Balance credited per Telegram Star on a Stars top-up, minor units of the balance currency. */
      starsTopupMinorPerStar: e.STARS_TOPUP_MINOR_PER_STAR,
      keyReissueCooldownMs: e.KEY_REISSUE_COOLDOWN_MINUTES * 60_000,
      broadcastIntervalMs: e.BROADCAST_INTERVAL_MS,
    } as const;
  }

  redacted(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.env };
    for (const key of secretKeys) if (out[key] !== undefined) out[key] = '***';
    if (out.JOBS_DISABLED instanceof Array) out.JOBS_DISABLED = (out.JOBS_DISABLED as string[]).join(',');
    return out;
  }
}

function readNodesFile(env: Record<string, string | undefined>): string | undefined {
  const file = env.VPN_NODES_FILE;
  if (!file) return undefined;
  if (env.VPN_NODES) return 'VPN_NODES_FILE: set either VPN_NODES or VPN_NODES_FILE, not both';
  try {
    env.VPN_NODES = readFileSync(file, 'utf8');
  } catch (err) {
    return `VPN_NODES_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  return undefined;
}

/** `VPN_NODES[1] (de-1).port` instead of `VPN_NODES.1.port`: the operator looks nodes up by code. */
function nodeLabel(path: PropertyKey[], raw: string | undefined): string | undefined {
  if (path[0] !== 'VPN_NODES' || typeof path[1] !== 'number') return undefined;
  let code: unknown;
  try {
    code = (JSON.parse(raw ?? '[]') as { code?: unknown }[])[path[1]]?.code;
  } catch {
    code = undefined;
  }
  const rest = path.slice(2).map(String).join('.');
  return `VPN_NODES[${path[1]}]${typeof code === 'string' ? ` (${code})` : ''}${rest ? `.${rest}` : ''}`;
}

/** SUPPORT_CONTACT as a link a client can open: a URL as is, @name as its t.me link, anything else none. */
export function supportUrlOf(contact: string): string | undefined {
  if (/^https?:\/\/\S+$/.test(contact)) return contact;
  const name = /^@([A-Za-z0-9_]{4,32})$/.exec(contact)?.[1];
  return name ? `https://t.me/${name}` : undefined;
}
