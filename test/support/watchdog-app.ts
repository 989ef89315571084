import {
  Injectable,
  type DynamicModule,
  type INestApplication,
  type Provider,
  type Type,
} from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { TelegramTransportModule } from '../../src/telegram/transport/telegram-transport.module';
import { UpdateDispatcherService } from '../../src/telegram/transport/update-dispatcher.service';
import { UpdateHandler } from '../../src/telegram/transport/update-handler';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { WatchdogService } from '../../src/watchdog/watchdog.service';
import { CapturedLogger } from './captured-logger';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { createTestApp } from './test-app';

/** Handles each update through `behaviour` and records every update id that completed, with its timing. */
@Injectable()
export class ChaosHandler extends UpdateHandler {
  readonly done: { updateId: number; chat: number; text: string; at: number }[] = [];
  readonly started = new Map<number, number>();
  behaviour: (
    msg: { chat: number; text: string; updateId: number; attempt: number },
    signal: AbortSignal,
  ) => Promise<void> = async () => undefined;

  async handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const msg = update.message as { chat: { id: number }; text: string } | undefined;
    if (!msg) return;
    const updateId = update.update_id as number;
    const attempt = (this.attempts.get(updateId) ?? 0) + 1;
    this.attempts.set(updateId, attempt);
    if (!this.started.has(updateId)) this.started.set(updateId, performance.now());
    await this.behaviour({ chat: msg.chat.id, text: msg.text, updateId, attempt }, signal);
    if (signal.aborted) throw signal.reason;
    this.done.push({ updateId, chat: msg.chat.id, text: msg.text, at: performance.now() });
  }

  private readonly attempts = new Map<number, number>();
}

export interface WatchdogApp {
  app: INestApplication;
  url: string;
  logs: CapturedLogger;
  handler: ChaosHandler;
  watchdog: WatchdogService;
  dispatcher: UpdateDispatcherService;
  /** GET a path on the app: status and parsed JSON (or text for /metrics). */
  get(path: string): Promise<{ status: number; body: unknown; text: string }>;
}

/**
 * The real Telegram transports (polling, inbox, dispatcher) and the real watchdog module (classifier, recovery,
 * probes, metrics) in one Nest app over a test database, talking to a FakeTelegram over a socket. The
 * out-of-loop guard's threshold is raised unless a test sets it: a kill would take the test runner with it.
 */
export async function startWatchdogApp(opts: {
  databaseUrl: string;
  fake: FakeTelegram;
  env?: Record<string, string>;
  imports?: (Type | DynamicModule)[];
  providers?: Provider[];
  /** false: the same app without the watchdog module (no classifier, metrics, guard, probes): a baseline. */
  watchdog?: boolean;
}): Promise<WatchdogApp> {
  const logs = new CapturedLogger();
  const { app } = await createTestApp({
    databaseUrl: opts.databaseUrl,
    logger: logs,
    env: {
      TELEGRAM_API_ROOT: opts.fake.apiRoot,
      WATCHDOG_GRACE_MS: '0',
      WATCHDOG_LOOP_STALL_MS: '60000',
      ...opts.env,
    },
    imports: [
      TelegramTransportModule,
      ...(opts.watchdog === false ? [] : [WatchdogModule]),
      ...(opts.imports ?? []),
    ],
    providers: [
      ChaosHandler,
      { provide: UpdateHandler, useExisting: ChaosHandler },
      ...(opts.providers ?? []),
    ],
  });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    url,
    logs,
    handler: app.get(ChaosHandler),
    watchdog: opts.watchdog === false ? (undefined as unknown as WatchdogService) : app.get(WatchdogService),
    dispatcher: app.get(UpdateDispatcherService),
    get: async (path) => {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
  };
}

export { until } from './until';

/**
 * Samples the watchdog as an operator would see it, every 100 ms, over HTTP: the class on /health/live and
 * the freeze-class gauge on /metrics. Returns when each class was first seen (ms since `t0`, a Date.now() value).
 */
export function observeClasses(w: WatchdogApp, t0: number) {
  const health = new Map<string, number>();
  const metric = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const live = await w.get('/health/live');
        const c = (live.body as { details?: { watchdog?: { class?: string } } })?.details?.watchdog?.class;
        if (c && !health.has(c)) health.set(c, Date.now() - t0);
        const m = await w.get('/metrics');
        const hit = /^watchdog_freeze_class\{class="([A-E]|healthy)"\} 1$/m.exec(m.text)?.[1];
        if (hit && !metric.has(hit)) metric.set(hit, Date.now() - t0);
      } catch {
        // a probe failing is itself visible in the assertions (the class is never seen)
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    health,
    metric,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
