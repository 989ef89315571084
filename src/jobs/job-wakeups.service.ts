import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { AppConfig } from '../config/app-config';
import { DATABASE_URL } from '../database/database.module';
import { retryDelayMs } from './backoff';
import { JobRunnerService } from './job-runner.service';
import { jobsWokenBy, JOB_SCHEDULES, type JobName } from './job-schedules';

export const WAKEUP_CHANNEL = 'outbox_wakeup';
const PING_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface WakeupListenerStatus {
  enabled: boolean;
  connected: boolean;
  received: number;
  reconnects: number;
  lastError?: string;
}

/** LISTEN needs its own session, outside the pool; pg has no reconnect, hence ours. */
@Injectable()
export class JobWakeupsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobWakeupsService');
  private client?: Client;
  private retry?: NodeJS.Timeout;
  private ping?: NodeJS.Timeout;
  private attempt = 0;
  private stopped = false;
  private readonly state: WakeupListenerStatus;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {
    this.state = {
      enabled: config.jobs.enabled && config.jobs.wakeOnCommit,
      connected: false,
      received: 0,
      reconnects: 0,
    };
  }

  status(): WakeupListenerStatus {
    return { ...this.state };
  }

  onApplicationBootstrap(): void {
    if (this.state.enabled) void this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.jobs.listenUrl ?? this.databaseUrl,
      application_name: `${this.config.database.applicationName}:listen`,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    this.client = client;
    // Handled on the client itself: an unhandled 'error' (57P01, a reset) would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => this.notified(n));
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKEUP_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.client !== client) return;
    if (this.attempt > 0) this.logger.log(`wake-up listener reconnected after ${this.attempt} attempt(s)`);
    this.attempt = 0;
    this.state.connected = true;
    this.state.lastError = undefined;
    this.ping = setInterval(() => {
      // A half-open TCP connection raises nothing by itself; a failed round-trip ends it and reconnects.
      client.query('SELECT 1').catch((err: Error) => this.lost(client, err));
    }, PING_MS);
    this.ping.unref();
    for (const name of Object.keys(JOB_SCHEDULES) as JobName[])
      if (JOB_SCHEDULES[name].wokenBy) this.runner.wake(name);
  }

  private notified(n: Notification): void {
    if (n.channel !== WAKEUP_CHANNEL) return;
    this.state.received++;
    for (const name of jobsWokenBy(n.payload ?? '')) this.runner.wake(name);
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.ping);
    client.removeAllListeners('notification');
    // Keep a listener so a late 'error' from the dead client stays handled.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.state.connected = false;
    this.state.lastError = err.message;
    if (this.stopped) return;
    this.attempt++;
    this.state.reconnects++;
    const delay = retryDelayMs(this.attempt, { baseMs: 500, maxMs: 30_000 });
    this.logger.warn(
      `wake-up listener lost (${err.message}); reconnecting in ${delay} ms, interval polls deliver meanwhile`,
    );
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}
