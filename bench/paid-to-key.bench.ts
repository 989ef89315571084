import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { PaidToKeyApp, startFakes, stopFakes, type Provider } from './paid-to-key-app';
import { percentile } from './telegram-bench-app';

const SAMPLES = 20;
const PROVIDERS: Provider[] = ['crypto_pay', 'stars', 'balance', 'trial'];
// Purchases start this far apart (rotating providers), so they land at every phase of the poll intervals.
const SPACING_MS = 230;

/** The three ways the app can learn that a transaction created work (VPN operation, notification). */
const MODES: { name: string; env: Record<string, string> }[] = [
  { name: 'old: polls only, default intervals', env: { JOBS_WAKE_ON_COMMIT: 'false' } },
  { name: 'wake-ups on commit (default)', env: {} },
  {
    // Every poll interval at its schema minimum, wake-ups on too: what the flow costs without waiting.
    name: 'floor: every poll at its minimum',
    env: { VPN_OUTBOX_INTERVAL_MS: '100', NOTIFICATIONS_INTERVAL_MS: '200', TELEGRAM_POLL_TIMEOUT_S: '1' },
  },
];

type Samples = Record<Provider, number[]>;

async function runMode(
  url: string,
  fakes: Awaited<ReturnType<typeof startFakes>>,
  env: Record<string, string>,
) {
  const app = await PaidToKeyApp.start(url, fakes, env);
  try {
    const samples = Object.fromEntries(PROVIDERS.map((p) => [p, [] as number[]])) as Samples;
    const flows: Promise<void>[] = [];
    const chats: number[] = [];
    const failures: unknown[] = [];
    for (let i = 0; i < SAMPLES * PROVIDERS.length; i++) {
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
    // A duplicate would come from a second wake-up or poll racing the first: give it time to show.
    await new Promise((r) => setTimeout(r, 3_000));
    const twice = chats.filter((c) => app.keyNotices(c) !== 1);
    if (twice.length) throw new Error(`key notice not exactly once for chats ${twice.join(', ')}`);
    return samples;
  } finally {
    await app.close();
  }
}

/**
 * Paid → key as a user sees it: from the payment event sent to the app (a Crypto Pay webhook, a Telegram
 * successful_payment, the "pay from balance" or "trial" button) to the key notice reaching the fake Telegram.
 * The whole bot runs in-process on a real PostgreSQL with every job scheduled; per-chat send limits as in
 * production (TELEGRAM_CHAT_MIN_INTERVAL_MS default).
 */
export const bench: Bench = {
  title: 'Paid → key, as a user sees it (per provider; wake-ups vs polls vs floor)',
  async run(): Promise<BenchFigure[]> {
    const pg = await benchPostgres();
    const fakes = await startFakes();
    try {
      const results: Samples[] = [];
      for (const m of MODES) {
        console.error(`  paid-to-key: ${m.name}`);
        results.push(await runMode(pg.url, fakes, m.env));
      }
      const [old, wake, floor] = results;
      const figures: BenchFigure[] = [];
      for (const p of PROVIDERS) {
        for (const [stat, pct] of [
          ['p50', 50],
          ['p95', 95],
          ['max', 100],
        ] as const) {
          const at = (s: Samples) => percentile(s[p], pct);
          figures.push({
            name: `${p} ${stat}, wake-ups (default)`,
            value: at(wake),
            unit: 'ms',
            baseline: { name: 'floor', value: at(floor) },
            note: `old behaviour (JOBS_WAKE_ON_COMMIT=false): ${at(old)} ms = ${(at(old) / at(wake)).toFixed(1)}× wake-ups${stat === 'p95' ? `; target <= 1000 ms: ${at(wake) <= 1000 ? 'PASS' : 'FAIL'}` : ''}`,
          });
        }
      }
      figures.push({
        name: 'samples per provider and mode',
        value: SAMPLES,
        unit: 'purchases',
        note: `one purchase every ~${SPACING_MS} ms, providers in turn; each key notice arrived exactly once`,
      });
      return figures;
    } finally {
      await stopFakes(fakes);
      await pg.stop();
    }
  },
};
