import { Client } from 'pg';
import { FakeTelegram } from '../src/demo/fake-telegram';
import { FakeXrayCore } from '../src/demo/fake-xray-core';
import { testEnv } from '../test/support/test-env';
import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { memoryOf } from './process-memory';
import { postStart, startInstance, type Instance } from './replicas-app';
import { until } from './telegram-bench-app';

const USERS = 10_000;
const ROUNDS = 5;
const PER_ROUND = 2_000;
const IN_FLIGHT = 16;
const IDLE_MS = 5_000;
const GOAL_MB = 200;
// More than this between the first and the last round counts as growth, not noise.
const LEAK_MB = 10;

let nextChat = 900_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
let nextUpdate = 70_000_000;

const round1 = (n: number) => Math.round(n * 10) / 10;
const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));

/** `count` /start from new users posted to the webhook, `IN_FLIGHT` at a time; resolves when all are answered. */
async function startUpdates(app: Instance, telegram: FakeTelegram, count: number): Promise<number> {
  const chats = Array.from({ length: count }, () => nextChat++);
  const from = telegram.sent.length;
  const t0 = Date.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (i < chats.length) {
        await postStart(`http://127.0.0.1:${app.port}`, chats[i++], nextUpdate++);
      }
    }),
  );
  const pending = new Set(chats);
  let scanned = from;
  await until(
    () => {
      const sent = telegram.sent;
      for (; scanned < sent.length; scanned++)
        if (sent[scanned].method === 'sendMessage') pending.delete(Number(sent[scanned].params.chat_id));
      return pending.size === 0;
    },
    600_000,
    `${count} /start answered`,
  );
  return (Date.now() - t0) / 1000;
}

/**
 * RSS of one production-like app process (built, `node --optimize-for-size` as `npm start` runs it, webhook mode,
 * every job scheduled): idle, with 10,000 users provisioned on the VPN core (reconciliation and traffic accounting
 * run over them), and after each of five rounds of 2,000 updates from new users; the rounds show whether it grows.
 */
export const bench: Bench = {
  title: 'Memory: idle, 10,000 provisioned users, 10,000 updates in 5 rounds',
  async run(): Promise<BenchFigure[]> {
    const pg = await benchPostgres();
    const telegram = await new FakeTelegram({
      token: testEnv().BOT_TOKEN!,
      limits: { perChatPerSecond: 1, globalPerSecond: 1_000_000 },
    }).start();
    const core = await new FakeXrayCore('xray', 'vless-in').start();
    let app: Instance | undefined;
    const db = new Client({ connectionString: pg.url });
    db.on('error', () => undefined);
    try {
      app = await startInstance(pg.url, telegram.apiRoot, 'http://127.0.0.1:9/unused', 30, {
        nodeArgs: ['--optimize-for-size'],
        env: {
          XRAY_API_ADDRESS: core.apiAddress,
          XRAY_INBOUND_TAG: 'vless-in',
          VPN_PUBLIC_HOST: 'vpn.example.test',
          PUBLIC_BASE_URL: 'https://sub.example.test',
          VPN_RECONCILE_INTERVAL_MS: '60000',
          TRAFFIC_INTERVAL_MS: '15000',
        },
      });
      const pid = app.proc.pid!;
      await db.connect();
      await idle();
      const idleMb = memoryOf(pid).rssMb;

      const t0 = Date.now();
      await db.query(`INSERT INTO users (id) SELECT 600000000 + g FROM generate_series(1, $1::int) g`, [
        USERS,
      ]);
      await db.query(
        `INSERT INTO subscriptions (user_id, status, plan_code, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
         SELECT 600000000 + g, 'active', '1m', gen_random_uuid(), 'm' || g || '@bench.local',
                md5(g::text) || md5(random()::text), now() + interval '30 days', 'purchase'
           FROM generate_series(1, $1::int) g`,
        [USERS],
      );
      await db.query(
        `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, notify_user, node_code)
         SELECT s.id, s.user_id, 'provision', s.vpn_uuid, s.vpn_email, false, n.code
           FROM subscriptions s CROSS JOIN vpn_nodes n WHERE n.state = 'active' AND s.user_id > 600000000`,
      );
      await db.query('ANALYZE');
      await until(() => core.users.size >= USERS, 600_000, `${USERS} users on the core`);
      const provisionS = (Date.now() - t0) / 1000;
      // Every user has used the tunnel: traffic accounting reads and stores all 10,000 counters.
      for (let g = 1; g <= USERS; g++) {
        core.counters.set(`user>>>m${g}@bench.local>>>traffic>>>uplink`, 1_000 * g);
        core.counters.set(`user>>>m${g}@bench.local>>>traffic>>>downlink`, 5_000 * g);
      }
      await until(
        async () =>
          Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM traffic_node_usage')).rows[0].n) >=
          USERS,
        120_000,
        `traffic of ${USERS} users stored`,
      );
      await idle();
      const provisionedMb = memoryOf(pid).rssMb;

      const rounds: { mb: number; s: number }[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const s = await startUpdates(app, telegram, PER_ROUND);
        await idle();
        rounds.push({ mb: memoryOf(pid).rssMb, s });
      }
      const peakMb = memoryOf(pid).hwmMb;
      const growth = rounds[ROUNDS - 1].mb - rounds[0].mb;
      const last = rounds[ROUNDS - 1].mb;
      const verdict = (mb: number) => `goal <= ${GOAL_MB} MB: ${mb <= GOAL_MB ? 'PASS' : 'FAIL'}`;
      return [
        { name: 'app RSS, idle after start', value: round1(idleMb), unit: 'MB', note: verdict(idleMb) },
        {
          name: `app RSS, ${USERS} users provisioned`,
          value: round1(provisionedMb),
          unit: 'MB',
          baseline: { name: 'idle after start', value: round1(idleMb) },
          note: `${USERS} subscriptions queued at once and added to the core by the outbox in ${provisionS.toFixed(1)} s; traffic accounting stored every user's counters; ${verdict(provisionedMb)}`,
        },
        ...rounds.map((r, k): BenchFigure => ({
          name: `app RSS after round ${k + 1} (${(k + 1) * PER_ROUND} updates)`,
          value: round1(r.mb),
          unit: 'MB',
          baseline: { name: `${USERS} users provisioned`, value: round1(provisionedMb) },
          note: `${PER_ROUND} /start from new users, ${IN_FLIGHT} in flight, all answered in ${r.s.toFixed(1)} s (TELEGRAM_SEND_RATE=30), then ${IDLE_MS / 1000} s idle`,
        })),
        {
          name: `growth from round 1 to round ${ROUNDS}`,
          value: round1(growth),
          unit: 'MB',
          note: `leak check (more than ${LEAK_MB} MB counts as growth): ${growth <= LEAK_MB ? 'PASS' : 'FAIL'}; peak RSS ${round1(peakMb)} MB; steady state ${verdict(last)}`,
        },
      ];
    } finally {
      await db.end().catch(() => undefined);
      await app?.stop();
      await core.stop();
      await telegram.stop();
      await pg.stop();
    }
  },
};
