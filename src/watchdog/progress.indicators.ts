import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { SignalRegistry } from '../signals/signal-registry';
import { SignalsService } from '../signals/signals.service';
import { EventLoopMonitor } from './event-loop.monitor';
import { WatchdogService } from './watchdog.service';

const LOOP_P99_LIMIT_MS = 1_000;

@Injectable()
export class ProgressIndicators {
  constructor(
    private readonly his: HealthIndicatorService,
    private readonly config: AppConfig,
    private readonly loop: EventLoopMonitor,
    private readonly watchdog: WatchdogService,
    private readonly signals: SignalsService,
    private readonly jobs: JobRunnerService,
    private readonly registry: SignalRegistry,
  ) {}

  eventLoop(): HealthIndicatorResult {
    const lag = this.loop.lag();
    const s = this.his.check('eventLoop');
    return lag.p99Ms > LOOP_P99_LIMIT_MS ? s.down({ ...lag, limitMs: LOOP_P99_LIMIT_MS }) : s.up(lag);
  }

  freeze(): HealthIndicatorResult {
    const st = this.watchdog.status();
    const s = this.his.check('watchdog');
    const data = {
      class: st.class,
      name: st.name,
      reason: st.reason,
      sinceMs: st.sinceMs,
      evidence: st.evidence,
      action: st.action,
    };
    return this.watchdog.isWedged() ? s.down(data) : s.up(data);
  }

  telegram(): HealthIndicatorResult {
    const s = this.his.check('telegram');
    const t = this.config.telegram;
    const polling = this.registry.get('telegram.polling')?.status();
    const age = (name: string) => this.signals.ageMs(name);
    if (t.mode === 'webhook') {
      const registered = this.signals.get('telegram.webhook.registered') !== undefined;
      const data = { mode: t.mode, registered, lastUpdateAgeMs: round(age('telegram.webhook.received')) };
      return registered ? s.up(data) : s.down({ ...data, error: 'webhook not registered yet' });
    }
    if (!polling) return s.down({ mode: t.mode, error: 'no polling transport' });
    const data = {
      mode: t.mode,
      state: polling.state,
      lastPollAgeMs: round(age('telegram.poll.completed')),
      consecutiveErrors: polling.consecutiveErrors,
      lastError: polling.lastError,
    };
    if (polling.state === 'unauthorized') return s.down({ ...data, error: 'BOT_TOKEN rejected (401)' });
    if (polling.state === 'standby') return s.up(data);
    const lastPoll = age('telegram.poll.completed');
    const limit = 2 * polling.deadlineMs;
    if ((lastPoll ?? Infinity) > limit && this.watchdogUptimeMs() > limit) {
      return s.down({ ...data, error: `no getUpdates completed for over ${limit} ms` });
    }
    return s.up(data);
  }

  jobs_(): HealthIndicatorResult {
    const now = Date.now();
    const jobs = this.jobs.status().filter((j) => j.enabled);
    const stale = jobs
      .filter((j) => !j.lastFinishedAt || now - Date.parse(j.lastFinishedAt) > 3 * j.intervalMs + 60_000)
      .map((j) => j.name);
    return this.his.check('jobs').up({
      stale,
      jobs: Object.fromEntries(
        jobs.map((j) => [j.name, { lastOutcome: j.lastOutcome, lastFinishedAt: j.lastFinishedAt }]),
      ),
    });
  }

  private watchdogUptimeMs(): number {
    return process.uptime() * 1000;
  }
}

function round(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v);
}
