import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../../config/app-config';
import { DATABASE_URL } from '../../database/database.module';
import { chatIdOf, kindOf } from './telegram-inbox.repository';

type RawUpdate = { update_id: number } & Record<string, unknown>;

interface Waiter {
  update: RawUpdate;
  resolve(isNew: boolean): void;
  reject(err: Error): void;
}

/** Telegram opens at most 100 connections per bot: a batch never needs to be larger. */
const MAX_BATCH = 200;

export interface IntakeStats {
  batches: number;
  updates: number;
  largestBatch: number;
}

/** Group commit on an own pool; hand-rolled as no maintained library batches pg statements this way. */
@Injectable()
export class WebhookIntakeService implements OnApplicationShutdown {
  private readonly logger = new Logger('WebhookIntake');
  private pool?: Pool;
  private queue: Waiter[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly slots: number;
  readonly stats: IntakeStats = { batches: 0, updates: 0, largestBatch: 0 };

  constructor(
    private readonly config: AppConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {
    this.slots = config.telegram.webhookDbConnections;
  }

  get flushing(): number {
    return this.inFlight;
  }

  /** Deliveries are waiting for every intake connection to be free: the dispatcher holds its claims meanwhile. */
  busy(): boolean {
    return this.queue.length > 0 && this.inFlight >= this.slots;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once the update is committed: true when it is new, false for a duplicate (also within a batch). */
  submit(update: RawUpdate): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ update, resolve, reject });
      this.kick();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private kick(): void {
    if (this.scheduled || this.inFlight >= this.slots || this.queue.length === 0) return;
    this.scheduled = true;
    // One turn of the event loop gathers the deliveries whose bodies were read together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.slots || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_BATCH);
    this.inFlight++;
    try {
      const unique = new Map<number, RawUpdate>();
      for (const w of batch) if (!unique.has(w.update.update_id)) unique.set(w.update.update_id, w.update);
      const stored = await this.insert([...unique.values()]);
      this.stats.batches++;
      this.stats.updates += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      // The first delivery of an id in the batch gets the insert's answer; repeats are duplicates.
      const answered = new Set<number>();
      for (const w of batch) {
        const id = w.update.update_id;
        w.resolve(stored.has(id) && !answered.has(id));
        answered.add(id);
      }
    } catch (err) {
      // Nothing of the batch was committed: every delivery in it is refused, so Telegram delivers it again.
      const e = err instanceof Error ? err : new Error(String(err));
      for (const w of batch) w.reject(e);
    } finally {
      this.inFlight--;
      this.kick();
    }
  }

  private async insert(updates: RawUpdate[]): Promise<Set<number>> {
    const res = await this.connections().query<{ update_id: string }>(
      `INSERT INTO telegram_updates (update_id, chat_id, kind, payload)
       SELECT u.update_id, u.chat_id, u.kind, u.payload
       FROM jsonb_to_recordset($1::jsonb) AS u(update_id bigint, chat_id bigint, kind text, payload jsonb)
       ON CONFLICT (update_id) DO NOTHING
       RETURNING update_id`,
      [
        JSON.stringify(
          updates.map((u) => ({ update_id: u.update_id, chat_id: chatIdOf(u), kind: kindOf(u), payload: u })),
        ),
      ],
    );
    return new Set(res.rows.map((r) => Number(r.update_id)));
  }

  /** Created at the first delivery: a polling instance never opens these connections. */
  private connections(): Pool {
    if (this.pool) return this.pool;
    const db = this.config.database;
    const pool = new Pool({
      connectionString: this.databaseUrl,
      max: this.slots,
      connectionTimeoutMillis: db.acquireTimeoutMs,
      statement_timeout: db.statementTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: `${db.applicationName}:intake`,
    });
    // An idle client that PostgreSQL ends emits 'error' on the pool; unhandled it would end the process.
    pool.on('error', (err) => this.logger.warn(`intake connection lost: ${err.message}`));
    this.pool = pool;
    return pool;
  }
}
