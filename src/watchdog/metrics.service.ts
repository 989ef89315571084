import { Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PoolMonitor } from '../database/pool-monitor';
import { JobRunnerService } from '../jobs/job-runner.service';
import type { JobOutcome } from '../jobs/job.types';
import { SignalRegistry } from '../signals/signal-registry';
import { SignalsService } from '../signals/signals.service';
import { EventLoopMonitor } from './event-loop.monitor';
import type { FreezeClass } from './freeze-classifier';
import { registerVpnNodeMetrics } from './vpn-node-metrics';

const classes: FreezeClass[] = ['healthy', 'A', 'B', 'C', 'D', 'E'];
const outcomes: JobOutcome[] = ['ok', 'failed', 'timeout', 'skipped_overlap', 'aborted'];
// Seconds a user waits: from a sub-second wake-up to a core outage retried for minutes.
const latencyBuckets = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 1800];

/** Own registry: several apps live in one test process. A scrape reads memory, never the database. */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly updateDuration = new Histogram({
    name: 'telegram_update_duration_seconds',
    help: 'Time to process one Telegram update from the inbox',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly events = new Counter({
    name: 'app_events_total',
    help: 'Progress and failure events (telegram.poll.completed, telegram.send.429, telegram.update.failed, …)',
    labelNames: ['event'],
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Job iteration duration by outcome',
    // Not `job`: Prometheus puts its scrape-job name there and would rename ours to `exported_job`.
    labelNames: ['job_name', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  private readonly jobLastSuccess = new Gauge({
    name: 'job_last_success_timestamp_seconds',
    help: 'Unix time of the job’s last ok iteration here (registration time until then; 0 when disabled here)',
    labelNames: ['job_name'],
    registers: [this.registry],
  });
  private readonly jobInterval = new Gauge({
    name: 'job_interval_seconds',
    help: 'The job’s configured interval (its safety-net poll for the outbox jobs)',
    labelNames: ['job_name'],
    registers: [this.registry],
  });
  private readonly paymentToKey = new Histogram({
    name: 'payment_to_key_seconds',
    help: 'From a payment credited (or a trial granted) to the key notice accepted by Telegram, by provider',
    labelNames: ['provider'],
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  private readonly updateToReply = new Histogram({
    name: 'update_to_reply_seconds',
    help: 'From a Telegram update stored in the inbox to its handling done (replies sent)',
    buckets: [0.05, ...latencyBuckets],
    registers: [this.registry],
  });
  private readonly acquireWait = new Histogram({
    name: 'db_pool_acquire_wait_seconds',
    help: 'Wait for a pooled connection, by caller (first label segment)',
    labelNames: ['caller', 'ok'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 3],
    registers: [this.registry],
  });
  readonly dbCounts = new Gauge({
    name: 'app_rows',
    help: 'Row counts refreshed by the watchdog: inbox backlog, provisioning and notification outboxes, paid purchases',
    labelNames: ['table', 'state'],
    registers: [this.registry],
  });
  readonly recoveries = new Counter({
    name: 'watchdog_recoveries_total',
    help: 'In-process recoveries applied by the watchdog, by freeze class (A abort poll, B restart dispatcher, C shed load)',
    labelNames: ['class'],
    registers: [this.registry],
  });
  private readonly feedRequests = new Counter({
    name: 'vpn_feed_requests_total',
    help: 'Subscription feed (/sub/:token) answers by format and by why it carried no keys (none: it did)',
    labelNames: ['format', 'blocked'],
    registers: [this.registry],
  });
  private readonly trafficBytes = new Counter({
    name: 'vpn_traffic_bytes_total',
    help: 'User traffic counted from the VPN cores by this process, by node and direction (uplink, downlink)',
    labelNames: ['node', 'direction'],
    registers: [this.registry],
  });
  private readonly overLimit = new Gauge({
    name: 'vpn_users_over_traffic_limit',
    help: 'Subscriptions whose key is held back for their traffic limit (after the last traffic pass)',
    registers: [this.registry],
  });
  private freezeClass: FreezeClass = 'healthy';

  constructor(
    private readonly signals: SignalsService,
    private readonly pool: PoolMonitor,
    private readonly loop: EventLoopMonitor,
    private readonly parts: SignalRegistry,
    private readonly jobs: JobRunnerService,
  ) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    // Every job's series exist from the first scrape, not only after its first iteration.
    this.jobs.onRegister((job) => {
      const s = this.jobs.status().find((j) => j.name === job);
      for (const outcome of outcomes) this.jobDuration.zero({ job_name: job, outcome });
      this.jobLastSuccess.set({ job_name: job }, s?.enabled ? Date.now() / 1000 : 0);
      this.jobInterval.set({ job_name: job }, (s?.intervalMs ?? 0) / 1000);
    });
    this.signals.onRecord((name, detail) => {
      if (name.startsWith('job.') && name.endsWith('.finished')) {
        const job = name.slice(4, -9);
        this.jobDuration.observe(
          { job_name: job, outcome: String(detail?.outcome) },
          Number(detail?.tookMs ?? 0) / 1000,
        );
        if (detail?.outcome === 'ok') this.jobLastSuccess.set({ job_name: job }, Date.now() / 1000);
        return;
      }
      if (name === 'vpn.feed.served') {
        this.feedRequests.inc({ format: String(detail?.format), blocked: String(detail?.blocked) });
        return;
      }
      // Names as the traffic module records them (the watchdog imports nothing from it).
      if (name === 'traffic.counted') {
        const node = String(detail?.node);
        this.trafficBytes.inc({ node, direction: 'uplink' }, Number(detail?.uplinkBytes ?? 0));
        this.trafficBytes.inc({ node, direction: 'downlink' }, Number(detail?.downlinkBytes ?? 0));
        return;
      }
      if (name === 'traffic.over_limit') return void this.overLimit.set(Number(detail?.users ?? 0));
      if (name.startsWith('job.') || name === 'db.roundtrip') return;
      this.events.inc({ event: name });
      if (name === 'telegram.update.processed') {
        this.updateDuration.observe(Number(detail?.ms ?? 0) / 1000);
        if (typeof detail?.sinceReceivedMs === 'number')
          this.updateToReply.observe(detail.sinceReceivedMs / 1000);
      }
      if (name === 'payment.key_delivered')
        this.paymentToKey.observe({ provider: String(detail?.provider) }, Number(detail?.seconds ?? 0));
    });
    this.pool.onAcquire((e) =>
      this.acquireWait.observe({ caller: e.caller.split('/')[0], ok: String(e.ok) }, e.waitMs / 1000),
    );
    const pool = this.pool;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Pool connections by state (max is the configured size)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const s = pool.snapshot();
        this.set({ state: 'busy' }, s.busy);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
        this.set({ state: 'max' }, s.max);
      },
    });
    new Gauge({
      name: 'db_pool_longest_hold_seconds',
      help: 'Longest current connection hold',
      registers: [this.registry],
      collect() {
        this.set((pool.snapshot().longestHold?.heldMs ?? 0) / 1000);
      },
    });
    const loop = this.loop;
    new Gauge({
      name: 'event_loop_lag_seconds',
      help: 'Event-loop delay over the last 10 s window',
      labelNames: ['quantile'],
      registers: [this.registry],
      collect() {
        const l = loop.lag();
        this.set({ quantile: '0.5' }, l.p50Ms / 1000);
        this.set({ quantile: '0.99' }, l.p99Ms / 1000);
        this.set({ quantile: 'max' }, l.maxMs / 1000);
      },
    });
    const self = {
      get: () => this.freezeClass,
      dispatcher: () => this.parts.get('telegram.dispatcher')?.status(),
    };
    new Gauge({
      name: 'watchdog_freeze_class',
      help: '1 for the current freeze class (healthy, A long-poll hang, B dispatcher stall, C pool starvation, D offset/conflict, E event loop)',
      labelNames: ['class'],
      registers: [this.registry],
      collect() {
        for (const c of classes) this.set({ class: c }, c === self.get() ? 1 : 0);
      },
    });
    registerVpnNodeMetrics(this.registry, this.parts);
    new Gauge({
      name: 'telegram_dispatcher_in_flight',
      help: 'Updates being processed now, and the concurrency limit',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        const d = self.dispatcher();
        if (!d) return;
        this.set({ kind: 'in_flight' }, d.inFlight);
        this.set({ kind: 'limit' }, d.concurrency);
      },
    });
  }

  setFreezeClass(c: FreezeClass): void {
    this.freezeClass = c;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
