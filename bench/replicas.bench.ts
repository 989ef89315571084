import { testEnv } from '../test/support/test-env';
import { cpus, loadavg } from 'node:os';
import { FakeTelegram } from '../src/demo/fake-telegram';
import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import {
  cpuSeconds,
  postgresCpu,
  postgresCpuBetween,
  postStart,
  startInstance,
  type Instance,
} from './replicas-app';
import { limitCpu } from './cpu-limit';
import { roundRobinProxy } from './round-robin-proxy';
import { until } from './telegram-bench-app';

const UPDATES = 900;
// Concurrent deliveries, as Telegram's default max_connections.
const IN_FLIGHT = 40;
const SEND_RATE = 30;
// Each instance's CPU quota in the limited rounds, as a pod with resources.limits.cpu: 200m.
const CPU_LIMIT = 0.2;
let nextChat = 800_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
let nextUpdate = 50_000_000;

interface Round {
  instances: number;
  /** The CPU quota each instance ran under, or undefined when unlimited. */
  cpuLimit?: number;
  perSecond: number;
  instanceCpu: number[];
  pgCpu: number;
  wallS: number;
  /** The machine's 1-minute load average at the end (other processes share the cores). */
  load: number;
}

/**
 * `UPDATES` /start from distinct new users, posted as Telegram would (IN_FLIGHT at a time, secret header) to
 * the proxy; done when every chat got its answer at the fake Telegram. Each update is stored, handled (the
 * first contact writes the user) and answered; then every chat must have exactly one answer.
 */
async function round(
  n: number,
  pgUrl: string,
  telegram: FakeTelegram,
  cpuLimit?: number,
): Promise<Round | undefined> {
  const ports: number[] = [];
  const proxy = await roundRobinProxy(ports);
  const apps: Instance[] = [];
  const limits: { release(): void }[] = [];
  try {
    for (let i = 0; i < n; i++) apps.push(await startInstance(pgUrl, telegram.apiRoot, proxy.url, SEND_RATE));
    // Limited once started: a start under 0.2 CPU takes long and is not what is measured.
    if (cpuLimit !== undefined)
      for (const a of apps) {
        const limit = limitCpu(a.proc.pid!, cpuLimit);
        if (!limit) return undefined;
        limits.push(limit);
      }
    ports.push(...apps.map((a) => a.port));
    await until(() => telegram.webhookConfig !== undefined, 15_000, 'setWebhook');
    const chats = Array.from({ length: UPDATES }, () => nextChat++);
    const from = telegram.sent.length;
    const cpu0 = apps.map((a) => cpuSeconds(a.proc.pid!));
    const pg0 = postgresCpu();
    const t0 = Date.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (i < chats.length) {
          await postStart(proxy.url, chats[i++], nextUpdate++);
        }
      }),
    );
    const answered = new Map<number, number>();
    let last = t0;
    await until(
      () => {
        for (const c of telegram.sent.slice(from)) {
          const chat = Number(c.params.chat_id);
          if (c.method === 'sendMessage' && !answered.has(chat)) {
            answered.set(chat, c.at);
            last = Math.max(last, c.at);
          }
        }
        return chats.every((c) => answered.has(c));
      },
      180_000,
      `${n} instance(s): every update answered`,
    );
    const wallS = (last - t0) / 1000;
    const instanceCpu = apps.map((a, k) => cpuSeconds(a.proc.pid!) - cpu0[k]);
    const pgCpu = postgresCpuBetween(pg0, postgresCpu());
    // A second answer would come from another instance handling the same update: give it time to show.
    await new Promise((r) => setTimeout(r, 3_000));
    const counts = new Map<number, number>();
    for (const c of telegram.sent.slice(from))
      if (c.method === 'sendMessage')
        counts.set(Number(c.params.chat_id), (counts.get(Number(c.params.chat_id)) ?? 0) + 1);
    const wrong = chats.filter((c) => counts.get(c) !== 1);
    if (wrong.length) throw new Error(`${n} instance(s): ${wrong.length} chats not answered exactly once`);
    return {
      instances: n,
      cpuLimit,
      perSecond: UPDATES / wallS,
      instanceCpu,
      pgCpu,
      wallS,
      load: loadavg()[0],
    };
  } finally {
    for (const a of apps) await a.stop();
    for (const l of limits) l.release();
    await proxy.close();
  }
}

const cores = (r: Round) => r.instanceCpu.map((s) => (s / r.wallS).toFixed(2)).join(' + ');

/** 1 vs 3 app instances in webhook mode on one PostgreSQL behind a round-robin proxy: updates/s end to end. */
export const bench: Bench = {
  title: 'Replicas: 1 vs 3 instances in webhook mode, updates/s end to end',
  async run(): Promise<BenchFigure[]> {
    const pg = await benchPostgres();
    // Telegram's per-chat limit (1 message/s); its global limit is left out so the fake does not cap replicas.
    const telegram = await new FakeTelegram({
      token: testEnv().BOT_TOKEN!,
      limits: { perChatPerSecond: 1, globalPerSecond: 1_000_000 },
    }).start();
    try {
      const oneLimited = await round(1, pg.url, telegram, CPU_LIMIT);
      const threeLimited = oneLimited && (await round(3, pg.url, telegram, CPU_LIMIT));
      const one = (await round(1, pg.url, telegram))!;
      const three = (await round(3, pg.url, telegram))!;
      const note = (r: Round) =>
        `${UPDATES} /start from new users, ${IN_FLIGHT} in flight, ${r.wallS.toFixed(1)} s; CPU cores used: app ${cores(r)}, PostgreSQL ${(r.pgCpu / r.wallS).toFixed(2)} (of ${cpus().length}); machine load average ${r.load.toFixed(1)}; each chat answered exactly once`;
      const rate = (r: Round) => Math.round(r.perSecond * 10) / 10;
      const figures: BenchFigure[] = [];
      if (oneLimited && threeLimited) {
        const ratio = threeLimited.perSecond / oneLimited.perSecond;
        figures.push(
          {
            name: `1 instance, CPU limit ${CPU_LIMIT} core`,
            value: rate(oneLimited),
            unit: 'updates/s',
            note: `${note(oneLimited)}; cgroup CPU quota ${CPU_LIMIT} per instance, as a pod with limits.cpu ${CPU_LIMIT * 1000}m`,
          },
          {
            name: `3 instances, CPU limit ${CPU_LIMIT} core each`,
            value: rate(threeLimited),
            unit: 'updates/s',
            baseline: { name: '1 instance', value: rate(oneLimited) },
            note: `${note(threeLimited)}; target >= 2x: ${ratio >= 2 ? 'PASS' : 'FAIL'}`,
          },
        );
      } else
        figures.push({
          name: `instances with a CPU limit of ${CPU_LIMIT} core`,
          value: 0,
          unit: 'updates/s',
          note: 'not measured: this machine would not let the bench make a cgroup with a CPU quota (needs root and a writable cgroup tree)',
        });
      figures.push(
        {
          name: '1 instance, no CPU limit',
          value: rate(one),
          unit: 'updates/s',
          note: note(one),
        },
        {
          name: '3 instances, no CPU limit',
          value: rate(three),
          unit: 'updates/s',
          baseline: { name: '1 instance', value: rate(one) },
          note: `${note(three)}; ${
            one.perSecond >= 0.9 * SEND_RATE
              ? `one instance is held by its own TELEGRAM_SEND_RATE (${SEND_RATE} messages/s, every update is answered), each of three by its own`
              : `the instances share this machine's ${cpus().length} cores`
          }`,
        },
        {
          name: 'sends per second allowed, 3 instances together',
          value: 3 * SEND_RATE,
          unit: 'messages/s',
          baseline: { name: 'one instance', value: SEND_RATE },
          note: "TELEGRAM_SEND_RATE is per process. Telegram's ~30/s applies to bulk sends; replies are paced per chat, and each bulk sender (notifications, broadcasts) is a job that runs on one replica at a time",
        },
      );
      return figures;
    } finally {
      await telegram.stop();
      await pg.stop();
    }
  },
};
