import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { currentCaller } from './caller-context';
import { markDatabaseUnavailable } from './transient-db-error';

export interface CallerStats {
  acquires: number;
  acquireErrors: number;
  waitMsTotal: number;
  waitMsMax: number;
  holdMsTotal: number;
  holdMsMax: number;
}

export interface Hold {
  caller: string;
  heldMs: number;
}

export interface PoolSnapshot {
  max: number;
  total: number;
  idle: number;
  busy: number;
  waiting: number;
  longestHold?: Hold;
  holds: Hold[];
}

type AcquireListener = (e: { caller: string; waitMs: number; ok: boolean }) => void;
type ReleaseListener = (e: { caller: string; holdMs: number }) => void;

/** pg-pool has no timed acquire/release hooks: `connect` is wrapped on the instance, in both its forms. */
@Injectable()
export class PoolMonitor implements OnModuleDestroy {
  private readonly logger = new Logger('PoolMonitor');
  private pool?: Pool;
  private readonly live = new Map<PoolClient, { caller: string; since: number; warned: boolean }>();
  private readonly watched = new WeakSet<PoolClient>();
  private readonly stats = new Map<string, CallerStats>();
  private readonly acquireListeners: AcquireListener[] = [];
  private readonly releaseListeners: ReleaseListener[] = [];
  private timer?: NodeJS.Timeout;
  private holdWarnMs = 2_000;

  attach(pool: Pool, opts: { holdWarnMs: number }): void {
    this.pool = pool;
    this.holdWarnMs = opts.holdWarnMs;
    const original = pool.connect.bind(pool) as (cb?: unknown) => unknown;
    const monitor = {
      onAcquired: this.onAcquired.bind(this),
      onAcquireFailed: this.onAcquireFailed.bind(this),
    };
    (pool as unknown as { connect: unknown }).connect = (
      cb?: (err: Error | undefined, client?: PoolClient, release?: (e?: unknown) => void) => void,
    ) => {
      const caller = currentCaller()?.label ?? 'unlabelled';
      const t0 = performance.now();
      if (typeof cb === 'function') {
        return original((err: Error | undefined, client: PoolClient, release: (e?: unknown) => void) => {
          if (err) {
            monitor.onAcquireFailed(caller, t0, err);
            return cb(err, client, release);
          }
          const wrapped = monitor.onAcquired(caller, t0, client, release);
          cb(undefined, client, wrapped);
        });
      }
      return (original() as Promise<PoolClient>).then(
        (client) => {
          const release = client.release.bind(client) as (e?: unknown) => void;
          client.release = monitor.onAcquired(caller, t0, client, release) as PoolClient['release'];
          return client;
        },
        (err: unknown) => {
          monitor.onAcquireFailed(caller, t0, err);
          throw err;
        },
      );
    };
    this.timer = setInterval(() => this.checkHolds(), Math.min(1_000, this.holdWarnMs)).unref();
  }

  onAcquire(listener: AcquireListener): void {
    this.acquireListeners.push(listener);
  }
  onRelease(listener: ReleaseListener): void {
    this.releaseListeners.push(listener);
  }

  snapshot(): PoolSnapshot {
    const p = this.pool;
    const now = performance.now();
    const holds = [...this.live.values()]
      .map((h) => ({ caller: h.caller, heldMs: Math.round(now - h.since) }))
      .sort((a, b) => b.heldMs - a.heldMs);
    const total = p?.totalCount ?? 0;
    const idle = p?.idleCount ?? 0;
    return {
      max: (p?.options as { max?: number } | undefined)?.max ?? 0,
      total,
      idle,
      busy: total - idle,
      waiting: p?.waitingCount ?? 0,
      longestHold: holds[0],
      holds,
    };
  }

  callerStats(): Record<string, CallerStats> {
    return Object.fromEntries(this.stats);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private onAcquired(
    caller: string,
    t0: number,
    client: PoolClient,
    release: (e?: unknown) => void,
  ): (e?: unknown) => void {
    const now = performance.now();
    const waitMs = now - t0;
    const s = this.statsFor(caller);
    s.acquires++;
    s.waitMsTotal += waitMs;
    s.waitMsMax = Math.max(s.waitMsMax, waitMs);
    this.live.set(client, { caller, since: now, warned: false });
    if (!this.watched.has(client)) {
      this.watched.add(client);
      // A dropped connection: pg rejects the client's queries with this same error object.
      client.on('error', markIfCodeless);
    }
    for (const l of this.acquireListeners) l({ caller, waitMs, ok: true });
    let released = false;
    return (e?: unknown) => {
      if (!released) {
        released = true;
        const hold = this.live.get(client);
        this.live.delete(client);
        if (hold) {
          const holdMs = performance.now() - hold.since;
          s.holdMsTotal += holdMs;
          s.holdMsMax = Math.max(s.holdMsMax, holdMs);
          for (const l of this.releaseListeners) l({ caller, holdMs });
          if (hold.warned)
            this.logger.warn(`connection released by ${caller} after ${Math.round(holdMs)} ms`);
        }
      }
      return release(e);
    };
  }

  private onAcquireFailed(caller: string, t0: number, err: unknown): void {
    markIfCodeless(err); // an acquire timeout, or a socket closed while connecting
    const waitMs = performance.now() - t0;
    this.statsFor(caller).acquireErrors++;
    for (const l of this.acquireListeners) l({ caller, waitMs, ok: false });
    const snap = this.snapshot();
    this.logger.warn(
      `connection acquire failed for ${caller} after ${Math.round(waitMs)} ms ` +
        `(busy=${snap.busy}/${snap.max} waiting=${snap.waiting} holders=${snap.holds.map((h) => `${h.caller}:${h.heldMs}ms`).join(',')})`,
    );
  }

  private checkHolds(): void {
    const now = performance.now();
    for (const hold of this.live.values()) {
      if (!hold.warned && now - hold.since > this.holdWarnMs) {
        hold.warned = true;
        this.logger.warn(
          `connection held by ${hold.caller} for ${Math.round(now - hold.since)} ms (threshold ${this.holdWarnMs} ms)`,
        );
      }
    }
  }

  private statsFor(caller: string): CallerStats {
    let s = this.stats.get(caller);
    if (!s) {
      s = { acquires: 0, acquireErrors: 0, waitMsTotal: 0, waitMsMax: 0, holdMsTotal: 0, holdMsMax: 0 };
      this.stats.set(caller, s);
    }
    return s;
  }
}

/** pg and pg-pool give their own connection failures no code; errors from the server and sockets have one. */
function markIfCodeless(err: unknown): void {
  if ((err as { code?: unknown } | undefined)?.code === undefined) markDatabaseUnavailable(err);
}
