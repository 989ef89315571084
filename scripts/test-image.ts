import { resolve } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import { FakeTelegram } from '../src/demo/fake-telegram';
import {
  cleanUp,
  IMAGE,
  liveEnv,
  logs,
  POLLING,
  startContainer,
  stopContainer,
  waitReady,
} from './image/containers';
import { ensureTools, podman, podmanOk } from './image/podman';
import { ensureStandInBase } from './image/stand-in-base';

const ROOT = resolve(__dirname, '../..');
const TOKEN = '123456:image-test-token-abcdefghijklmnopqrstuvwxyz';
const VOLUME = `vpnbot-test-image-${process.pid}`;
const STOP_FAST_MS = 5_000;

/** Run inside the image: what must not be there (sources, tests, dev dependencies) and who runs it. */
const INSPECT = `
const fs = require('fs'), path = require('path'), os = require('os');
const found = [];
for (const d of ['src', 'test', 'bench', 'scripts', 'coverage', '.git']) if (fs.existsSync(d)) found.push(d + '/');
const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
  const p = path.join(dir, e.name);
  if (e.isDirectory()) { if (e.name !== 'node_modules') walk(p); }
  else if (/\\.spec\\.|\\.test\\./.test(e.name) || (/\\.ts$/.test(e.name) && !/\\.d\\.ts$/.test(e.name))) found.push(p);
} };
walk('.');
// Dev-only packages as the lockfile marks them (@types/node, say, is a dependency of protobufjs: it stays).
const lock = require('./package-lock.json').packages;
const dev = Object.keys(lock).filter((k) => k.startsWith('node_modules/') && lock[k].dev).concat('node_modules/typescript');
for (const d of dev) if (fs.existsSync(d)) found.push(d);
console.log(JSON.stringify({ user: os.userInfo().username, uid: process.getuid(), node: process.version, found }));
`;

interface Result {
  check: string;
  ok: boolean;
  detail: string;
}

async function main(): Promise<void> {
  const rebuildBase = process.argv.includes('--rebuild-base');
  const t0 = performance.now();
  const results: Result[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    results.push({ check: name, ok, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };

  ensureTools();
  const base = await ensureStandInBase(rebuildBase);
  console.log(
    `stand-in base: ${base.cached ? 'cached' : `made in ${s(base.tookMs)}`}, Node ${base.node || 'unknown'}`,
  );

  const previous = await podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
  const b0 = performance.now();
  // --network host: the build's npm uses the host's network directly (no bridge needed on these machines).
  const built = await podman(['build', '--pull=never', '--network', 'host', '-t', IMAGE, ROOT], {
    inherit: true,
  });
  if (built.code !== 0) throw new Error('the image did not build');
  const buildMs = performance.now() - b0;
  // The image this build replaced would stay behind untagged: one copy per run.
  const now = await podmanOk(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
  if (previous.code === 0 && previous.stdout.trim() !== now) await podman(['rmi', previous.stdout.trim()]);
  const size = Number(await podmanOk(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));

  const telegram = await new FakeTelegram({ token: TOKEN }).start();
  const figures: Record<string, number> = {};
  try {
    const seen = JSON.parse(
      await podmanOk(['run', '--rm', '--network', 'host', IMAGE, 'node', '-e', INSPECT]),
    ) as {
      user: string;
      uid: number;
      node: string;
      found: string[];
    };
    check('runs as non-root', seen.user === 'node' && seen.uid !== 0, `user ${seen.user} (uid ${seen.uid})`);
    check(
      'no tests, sources or dev dependencies',
      seen.found.length === 0,
      seen.found.length ? seen.found.join(', ') : `none found; Node ${seen.node}`,
    );

    // Demo mode: no token, not production.
    const demo = await startContainer(await freePort(), {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ...POLLING,
    });
    figures.demoReady = await waitReady(demo);
    const page = await fetch(`http://127.0.0.1:${demo.port}/`).then((r) => r.text());
    check(
      'ready in demo mode',
      page.includes('demo'),
      `/health/ready 200 in ${s(figures.demoReady)}, web chat served`,
    );
    const demoStop = await stopContainer(demo.name);
    figures.demoStop = demoStop.ms;
    check('stops on SIGTERM (demo)', demoStop.exitCode === 0, `${s(demoStop.ms)}, exit ${demoStop.exitCode}`);

    // Live mode against the fake Bot API on the host: the bot answers a /start.
    const live = await startContainer(await freePort(), liveEnv(telegram.apiRoot, TOKEN));
    figures.liveReady = await waitReady(live);
    telegram.userMessage({ id: 4242, firstName: 'Image' }, '/start');
    const answered = await until(() => telegram.sentTo(4242, 'sendMessage').length > 0, 30_000);
    check(
      'ready in live mode against a fake Bot API',
      answered,
      `/health/ready 200 in ${s(figures.liveReady)}; /start ${answered ? 'answered' : 'NOT answered'}`,
    );
    const liveStop = await stopContainer(live.name);
    figures.liveStop = liveStop.ms;
    check('stops on SIGTERM (live)', liveStop.exitCode === 0, `${s(liveStop.ms)}, exit ${liveStop.exitCode}`);

    // SIGTERM during start-up (first start: initdb and migrations make the window wide).
    let landedInStartup = 0;
    for (const delay of [300, 800]) {
      const c = await startContainer(await freePort(), liveEnv(telegram.apiRoot, TOKEN));
      await new Promise((r) => setTimeout(r, delay));
      const stop = await stopContainer(c.name);
      const out = await logs(c.name);
      const during = !out.includes('listening on');
      if (during) landedInStartup++;
      check(
        `SIGTERM ${delay} ms into start-up exits fast`,
        stop.exitCode === 0 && stop.ms < STOP_FAST_MS,
        `${s(stop.ms)}, exit ${stop.exitCode}${during ? '' : ' (start-up had already finished)'}`,
      );
    }
    check('a SIGTERM landed during start-up', landedInStartup > 0, `${landedInStartup} of 2`);

    // Railway with a volume: root (RAILWAY_RUN_UID=0), a root-owned volume, a fresh container each start.
    const railway = { ...liveEnv(telegram.apiRoot, TOKEN), DATA_DIR: '/data', RAILWAY_RUN_UID: '0' };
    const volume = `${VOLUME}:/data`;
    for (const round of ['first', 'second']) {
      const c = await startContainer(await freePort(), railway, { user: '0', volume });
      const ms = await waitReady(c).catch((err: Error) => err);
      const stop = await stopContainer(c.name);
      const out = await logs(c.name);
      const reused = round === 'second' ? !out.includes('initialising embedded PostgreSQL') : true;
      check(
        `${round} start as root on the same volume`,
        typeof ms === 'number' && reused && stop.exitCode === 0,
        typeof ms === 'number'
          ? `ready in ${s(ms)}${reused ? '' : ', but the cluster was initialised again'}, stop exit ${stop.exitCode}`
          : ms.message.split('\n').slice(0, 12).join('\n'),
      );
    }
  } finally {
    await telegram.stop();
    await cleanUp([VOLUME]);
  }

  const failed = results.filter((r) => !r.ok);
  console.log('\nfigures');
  console.log(`  image size          ${(size / 1e6).toFixed(0)} MB (${IMAGE}, stand-in base)`);
  console.log(`  build time          ${s(buildMs)}`);
  console.log(`  ready, demo mode    ${s(figures.demoReady)} (podman run to /health/ready 200)`);
  console.log(`  ready, live mode    ${s(figures.liveReady)} (first start: initdb and migrations)`);
  console.log(`  stop after ready    ${s(figures.demoStop)} demo, ${s(figures.liveStop)} live (podman stop)`);
  console.log(`  whole run           ${s(performance.now() - t0)}`);
  console.log(`${results.length - failed.length}/${results.length} checks passed`);
  if (failed.length) process.exitCode = 1;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

function s(ms: number | undefined): string {
  return ms === undefined
    ? 'n/a'
    : ms < 10_000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${(ms / 1000).toFixed(1)} s`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
