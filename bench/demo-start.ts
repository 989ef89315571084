import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import type { BenchFigure } from './bench.types';
import { median } from './bench-postgres';
import { descendants, memoryOf } from './process-memory';

const ROOT = resolve(__dirname, '../..');
const UPDATES = 1_000;
const APP_GOAL_MB = 200;
const IDLE_MS = 5_000;

interface Demo {
  npm: ChildProcess;
  port: number;
  /** The node process running dist/src/main.js under npm. */
  app: number;
}

async function get(url: string): Promise<Response | undefined> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
}

async function post(url: string, body: unknown): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return r.status;
}

/** How many Bot API calls the demo's fake Telegram has seen (the chat API's `next` counts them all). */
async function sentCount(port: number): Promise<number> {
  const r = await get(`http://127.0.0.1:${port}/demo/api/chat/1001?after=1000000000`);
  return r?.ok ? ((await r.json()) as { next: number }).next : 0;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

/**
 * `npm start` as a newcomer runs it (built, no BOT_TOKEN: demo mode), timed until the page is usable: GET /
 * serves the web chat and the bot answers a /start typed into it.
 */
async function startDemo(dataDir: string, plainNode = false): Promise<{ demo: Demo; usableMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  // plainNode: the baseline without the start script's V8 flags (`node dist/src/main.js`).
  const [cmd, args] = plainNode ? [process.execPath, ['dist/src/main.js']] : ['npm', ['start', '--silent']];
  const npm = spawn(cmd, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      TELEGRAM_SEND_RATE: '30',
    },
    stdio: 'ignore',
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await until('no web chat at /', 90_000, async () => {
      const r = await get(`${base}/`);
      return r?.ok && (await r.text()).includes('/demo/api/chat/') ? true : undefined;
    });
    const before = await sentCount(port);
    const status = await post(`${base}/demo/api/chat/1001/message`, { text: '/start', lang: 'en' });
    if (status >= 300) throw new Error(`the demo refused /start: ${status}`);
    await until('no answer to /start', 60_000, async () =>
      (await sentCount(port)) > before ? true : undefined,
    );
    const usableMs = performance.now() - t0;
    // npm runs it through `sh -c`: the app is the node process, not the shell.
    const app = plainNode
      ? { pid: npm.pid! }
      : descendants(npm.pid!).find((p) => /(^|\/)node( --\S+)* dist\/src\/main\.js/.test(p.cmd));
    if (!app) throw new Error('no dist/src/main.js process under npm start');
    return { demo: { npm, port, app: app.pid }, usableMs };
  } catch (err) {
    // Never leave a demo (and its PostgreSQL) running after a failed measurement: the whole group goes.
    process.kill(-npm.pid!, 'SIGTERM');
    throw err;
  }
}

async function stopDemo(demo: Demo): Promise<void> {
  const exited = new Promise((r) => demo.npm.once('exit', r));
  process.kill(demo.app, 'SIGTERM');
  await exited;
}

/** App RSS and the embedded PostgreSQL's processes (postmaster and backends), summed by PSS. */
function memory(demo: Demo): {
  app: ReturnType<typeof memoryOf>;
  pgPssMb: number;
  pgRssMb: number;
  pgProcs: number;
} {
  const pg = descendants(demo.app).filter((p) => /postgres/.test(p.cmd));
  const mem = pg.map((p) => memoryOf(p.pid));
  return {
    app: memoryOf(demo.app),
    pgPssMb: mem.reduce((a, m) => a + m.pssMb, 0),
    pgRssMb: mem.reduce((a, m) => a + m.rssMb, 0),
    pgProcs: pg.length,
  };
}

/** 1,000 /start from distinct users through the web chat's API, as many as 16 in flight; all answered. */
async function sendUpdates(demo: Demo): Promise<number> {
  const base = `http://127.0.0.1:${demo.port}`;
  const before = await sentCount(demo.port);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < UPDATES) {
        const user = 20_000 + next++;
        const status = await post(`${base}/demo/api/chat/${user}/message`, { text: '/start', lang: 'en' });
        if (status >= 300) throw new Error(`the demo refused update ${user}: ${status}`);
      }
    }),
  );
  await until('not every /start answered', 300_000, async () =>
    (await sentCount(demo.port)) - before >= UPDATES ? true : undefined,
  );
  return performance.now() - t0;
}

/** Figures for the cold-start bench: `npm start` to a usable demo, and memory idle and after 1,000 updates. */
export async function demoStartFigures(bare: { name: string; value: number }): Promise<BenchFigure[]> {
  // `npm start` builds when the build is stale; done once here so the timed starts measure the built app.
  spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'vpnbot-bench-demo-'));
  await chmod(dir, 0o755);
  const rssBase = { name: 'bare node http server RSS', value: round1(await bareServerRss()) };
  const verdict = (mb: number) => `goal <= ${APP_GOAL_MB} MB: ${mb <= APP_GOAL_MB ? 'PASS' : 'FAIL'}`;
  try {
    const first = await startDemo(dir);
    await stopDemo(first.demo);
    const second = await startDemo(dir);
    await stopDemo(second.demo);
    const run = await startDemo(dir);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = memory(run.demo);
    const sendMs = await sendUpdates(run.demo);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = memory(run.demo);
    await stopDemo(run.demo);
    const plain = await startDemo(dir, true);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const plainIdle = memoryOf(plain.demo.app).rssMb;
    await sendUpdates(plain.demo);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const plainAfter = memoryOf(plain.demo.app);
    await stopDemo(plain.demo);
    const flagless = (mb: number) => ({
      name: 'same, `node dist/src/main.js` without V8 flags',
      value: round1(mb),
    });
    return [
      ...timeFigures(bare, first.usableMs, [second.usableMs, run.usableMs]),
      {
        name: 'app RSS, idle after start',
        value: round1(idle.app.rssMb),
        unit: 'MB',
        baseline: rssBase,
        note: verdict(idle.app.rssMb),
      },
      {
        name: 'app RSS, idle after start, vs no V8 flags',
        value: round1(idle.app.rssMb),
        unit: 'MB',
        baseline: flagless(plainIdle),
        note: '`npm start` runs node with --optimize-for-size',
      },
      {
        name: `app RSS, idle after ${UPDATES} updates`,
        value: round1(after.app.rssMb),
        unit: 'MB',
        baseline: rssBase,
        note: `${verdict(after.app.rssMb)}; peak ${round1(after.app.hwmMb)} MB; ${UPDATES} /start from distinct users through the web chat, all answered in ${(sendMs / 1000).toFixed(1)} s (TELEGRAM_SEND_RATE=30)`,
      },
      {
        name: `app RSS, idle after ${UPDATES} updates, vs no V8 flags`,
        value: round1(after.app.rssMb),
        unit: 'MB',
        baseline: flagless(plainAfter.rssMb),
        note: `without the flag: ${verdict(plainAfter.rssMb)}; peak ${round1(plainAfter.hwmMb)} MB`,
      },
      {
        name: 'embedded PostgreSQL, idle after start',
        value: round1(idle.pgPssMb),
        unit: 'MB PSS',
        note: `${idle.pgProcs} processes; their RSS summed (shared buffers counted once per process): ${round1(idle.pgRssMb)} MB`,
      },
      {
        name: `embedded PostgreSQL, idle after ${UPDATES} updates`,
        value: round1(after.pgPssMb),
        unit: 'MB PSS',
        note: `${after.pgProcs} processes; RSS summed ${round1(after.pgRssMb)} MB`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function timeFigures(bare: { name: string; value: number }, first: number, warm: number[]): BenchFigure[] {
  return [
    {
      name: '`npm start` (built) to a usable demo page, existing data',
      value: Math.round(median(warm)),
      unit: 'ms',
      baseline: bare,
      note: `median of ${warm.length}; GET / serves the web chat and /start typed into it is answered; includes npm and the stale-build check`,
    },
    {
      name: '`npm start` (built) to a usable demo page, first start',
      value: Math.round(first),
      unit: 'ms',
      baseline: bare,
      note: 'fresh DATA_DIR: initdb and every migration',
    },
  ];
}

/** RSS of a bare node http server, idle: what any node process costs on this machine. */
async function bareServerRss(): Promise<number> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
    { stdio: 'ignore' },
  );
  try {
    await until('bare server not up', 10_000, async () =>
      (await get(`http://127.0.0.1:${port}/`))?.ok ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    return memoryOf(proc.pid!).rssMb;
  } finally {
    proc.kill('SIGTERM');
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
