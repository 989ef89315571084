import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { PaidToKeyApp, THINK_MS, startFakes, stopFakes, type Fakes, type Provider } from './paid-to-key-app';
import { percentile } from './telegram-bench-app';

const PROVIDERS: Provider[] = ['crypto_pay', 'stars', 'balance', 'trial'];
// One purchase at a time: what a single user feels on a quiet bot.
const QUIET_SAMPLES = 6;
// Under load: purchases start this far apart (providers in turn, ~4 a second), landing at every poll phase.
const LOADED_SAMPLES = 20;
const SPACING_MS = 230;

/** How the app learns that a transaction created work, and whether the payment notice waits for the key. */
const MODES: { name: string; env: Record<string, string> }[] = [
  // Before this work: polls only, "payment received" and the key as two messages.
  { name: 'old', env: { JOBS_WAKE_ON_COMMIT: 'false', PAYMENT_NOTICE_KEY_WAIT_MS: '0' } },
  // Wake-ups on commit, still two messages: the key waits for the chat's 1.1 s pace behind the first.
  { name: 'two messages', env: { PAYMENT_NOTICE_KEY_WAIT_MS: '0' } },
  { name: 'default', env: {} },
  // Every poll interval at its schema minimum: what the flow costs without waiting for any poll.
  { name: 'floor', env: { VPN_OUTBOX_INTERVAL_MS: '100', NOTIFICATIONS_INTERVAL_MS: '200' } },
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

function figures(phase: 'quiet' | 'loaded', [old, two, wake, floor]: ModeResult[]): BenchFigure[] {
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
        name: `${p} ${stat}, ${label}`,
        value: at(wake),
        unit: 'ms',
        baseline: { name: 'old (polls, two messages)', value: at(old) },
        note: `floor (polls at their minimum): ${at(floor)} ms; wake-ups with two messages (PAYMENT_NOTICE_KEY_WAIT_MS=0): ${at(two)} ms${target}`,
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
  title: 'Paid → key, as a user sees it (per provider; default vs polls only vs floor)',
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
          note: `${QUIET_SAMPLES} one at a time, then ${LOADED_SAMPLES} started every ~${SPACING_MS} ms with the other providers in turn; each payment comes ${THINK_MS} ms or more after the bot's last message to that chat (a person reads the invoice before paying); every key notice arrived exactly once`,
        },
      ];
    } finally {
      await stopFakes(fakes);
      await pg.stop();
    }
  },
};
