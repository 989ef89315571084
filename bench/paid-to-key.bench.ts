import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { PaidToKeyApp, startFakes, stopFakes, type Fakes, type Provider } from './paid-to-key-app';
import { percentile } from './telegram-bench-app';

const PROVIDERS: Provider[] = ['crypto_pay', 'stars', 'balance', 'trial'];
// One purchase at a time: what a single user feels on a quiet bot.
const QUIET_SAMPLES = 6;
// Under load: purchases start this far apart (providers in turn, ~4 a second), landing at every poll phase.
const LOADED_SAMPLES = 20;
const SPACING_MS = 230;

/** The three ways the app can learn that a transaction created work (VPN operation, notification). */
const MODES: { name: string; env: Record<string, string> }[] = [
  { name: 'old (JOBS_WAKE_ON_COMMIT=false)', env: { JOBS_WAKE_ON_COMMIT: 'false' } },
  { name: 'wake-ups (default)', env: {} },
  // Every poll interval at its schema minimum, wake-ups on too: what the flow costs without waiting for a poll.
  { name: 'floor', env: { VPN_OUTBOX_INTERVAL_MS: '100', NOTIFICATIONS_INTERVAL_MS: '200' } },
  // Wake-ups without the per-chat send interval: how much of the figures above is that interval.
  { name: 'wake-ups, TELEGRAM_CHAT_MIN_INTERVAL_MS=0', env: { TELEGRAM_CHAT_MIN_INTERVAL_MS: '0' } },
];

type Samples = Record<Provider, number[]>;
interface ModeResult {
  quiet: Samples;
  loaded: Samples;
}

const empty = (): Samples => Object.fromEntries(PROVIDERS.map((p) => [p, [] as number[]])) as Samples;

async function quiet(app: PaidToKeyApp, chats: number[]): Promise<Samples> {
  const samples = empty();
  for (let i = 0; i < QUIET_SAMPLES; i++)
    for (const p of PROVIDERS) {
      const { ms, chatId } = await app.sample(p);
      samples[p].push(ms);
      chats.push(chatId);
    }
  return samples;
}

async function loaded(app: PaidToKeyApp, chats: number[]): Promise<Samples> {
  const samples = empty();
  const flows: Promise<void>[] = [];
  const failures: unknown[] = [];
  for (let i = 0; i < LOADED_SAMPLES * PROVIDERS.length; i++) {
    const provider = PROVIDERS[i % PROVIDERS.length];
    flows.push(
      app.sample(provider).then(
        ({ ms, chatId }) => {
          samples[provider].push(ms);
          chats.push(chatId);
        },
        (err: unknown) => void failures.push(err),
      ),
    );
    await new Promise((r) => setTimeout(r, SPACING_MS + Math.random() * 50));
  }
  await Promise.all(flows);
  if (failures.length) throw failures[0];
  return samples;
}

async function runMode(url: string, fakes: Fakes, env: Record<string, string>): Promise<ModeResult> {
  const app = await PaidToKeyApp.start(url, fakes, env);
  try {
    const chats: number[] = [];
    const result = { quiet: await quiet(app, chats), loaded: await loaded(app, chats) };
    // A duplicate would come from a second wake-up or poll racing the first: give it time to show.
    await new Promise((r) => setTimeout(r, 3_000));
    const twice = chats.filter((c) => app.keyNotices(c) !== 1);
    if (twice.length) throw new Error(`key notice not exactly once for chats ${twice.join(', ')}`);
    return result;
  } finally {
    await app.close();
  }
}

function figures(phase: 'quiet' | 'loaded', [old, wake, floor, noChat]: ModeResult[]): BenchFigure[] {
  const out: BenchFigure[] = [];
  const label = phase === 'quiet' ? 'one at a time' : `under load (~${Math.round(1000 / SPACING_MS)}/s)`;
  for (const p of PROVIDERS)
    for (const [stat, pct] of [
      ['p50', 50],
      ['p95', 95],
      ['max', 100],
    ] as const) {
      const at = (m: ModeResult) => percentile(m[phase][p], pct);
      const target = stat === 'p95' ? `; target <= 1000 ms: ${at(wake) <= 1000 ? 'PASS' : 'FAIL'}` : '';
      out.push({
        name: `${p} ${stat}, ${label}, wake-ups (default)`,
        value: at(wake),
        unit: 'ms',
        baseline: { name: 'old (polls only)', value: at(old) },
        note: `floor (polls at their minimum): ${at(floor)} ms; wake-ups with TELEGRAM_CHAT_MIN_INTERVAL_MS=0: ${at(noChat)} ms${target}`,
      });
    }
  return out;
}

/**
 * Paid → key as a user sees it: from the payment event sent to the app (a Crypto Pay webhook, a Telegram
 * successful_payment, the "pay from balance" or "trial" button) to the key notice reaching the fake Telegram.
 * The whole bot runs in-process on a real PostgreSQL with every job scheduled and the production per-chat
 * send interval (TELEGRAM_CHAT_MIN_INTERVAL_MS default).
 */
export const bench: Bench = {
  title: 'Paid → key, as a user sees it (per provider; wake-ups vs polls only vs floor)',
  async run(): Promise<BenchFigure[]> {
    const pg = await benchPostgres();
    const fakes = await startFakes();
    try {
      const results: ModeResult[] = [];
      for (const m of MODES) {
        console.error(`  paid-to-key: ${m.name}`);
        results.push(await runMode(pg.url, fakes, m.env));
      }
      return [
        ...figures('quiet', results),
        ...figures('loaded', results),
        {
          name: 'samples per provider and mode',
          value: QUIET_SAMPLES + LOADED_SAMPLES,
          unit: 'purchases',
          note: `${QUIET_SAMPLES} one at a time, then ${LOADED_SAMPLES} started every ~${SPACING_MS} ms with the other providers in turn; every key notice arrived exactly once`,
        },
      ];
    } finally {
      await stopFakes(fakes);
      await pg.stop();
    }
  },
};
