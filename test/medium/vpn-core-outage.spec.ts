import type { INestApplication } from '@nestjs/common';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { freePort } from '../../src/database/embedded-postgres';
import { PoolMonitor } from '../../src/database/pool-monitor';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { VpnCircuit } from '../../src/vpn/vpn-circuit';
import { VpnOperationsService } from '../../src/vpn/vpn-operations.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { createTestApp } from '../support/test-app';
import { insertOperation, insertSubscription, operation } from '../support/v2ray-fixtures';

/** A TCP server that accepts connections and never answers: a hung core API. */
async function startBlackhole(): Promise<{
  address: string;
  accepted: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const apps: INestApplication[] = [];
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await db.drop();
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function appFor(env: Record<string, string>, logger = new CapturedLogger()) {
  const { app } = await createTestApp({ databaseUrl: db.url, env, imports: [VpnModule], logger });
  apps.push(app);
  return app;
}
const run = (app: INestApplication) =>
  app.get(ProvisioningOutboxService).runOnce({ signal: AbortSignal.timeout(20_000) });

describe('provisioning outbox when the core is down', () => {
  it('holds no database connection while the core hangs, retries later and opens the circuit', async () => {
    const hole = await startBlackhole();
    try {
      const app = await appFor({
        XRAY_API_ADDRESS: hole.address,
        VPN_API_TIMEOUT_MS: '800',
        VPN_CIRCUIT_THRESHOLD: '3',
        VPN_CIRCUIT_HALF_OPEN_MS: '60000',
      });
      const dbs = app.get(DbService);
      const ops = [];
      for (let i = 0; i < 5; i++)
        ops.push(await insertOperation(dbs, await insertSubscription(dbs), 'provision'));
      const monitor = app.get(PoolMonitor);

      const t0 = performance.now();
      let passed = false;
      const pass = run(app).finally(() => (passed = true));
      const busyDuringCalls: number[] = [];
      // A loaded machine runs timers late: keep sampling (while the calls still hang) until there are enough.
      const sampling = () => performance.now() - t0 < 650 || (busyDuringCalls.length <= 10 && !passed);
      while (sampling()) {
        await new Promise((r) => setTimeout(r, 25));
        if (performance.now() - t0 > 150) busyDuringCalls.push(monitor.snapshot().busy);
      }
      await pass;

      expect(hole.accepted()).toBeGreaterThan(0);
      expect(busyDuringCalls.length).toBeGreaterThan(10);
      expect(Math.max(...busyDuringCalls)).toBe(0);
      for (const id of ops) {
        const row = await operation(dbs, id);
        expect(row).toMatchObject({ state: 'pending', attempts: 1 });
        expect(row.last_error).toMatch(/^unavailable: /);
        expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
      }
      expect(app.get(VpnCircuit).isOpen).toBe(true);

      // Due again, but the open circuit keeps the worker from claiming (and from burning attempts).
      await dbs.query('test', `UPDATE vpn_operations SET next_attempt_at = now()`);
      const started = performance.now();
      expect(await run(app)).toEqual({ processed: 0, failed: 0 });
      expect(performance.now() - started).toBeLessThan(200);
      expect((await operation(dbs, ops[0])).attempts).toBe(1);
    } finally {
      await hole.close();
    }
  });

  it('gives up after VPN_MAX_ATTEMPTS: the operation is failed, logged, listed for the admin and can be requeued', async () => {
    const logger = new CapturedLogger();
    const app = await appFor(
      {
        XRAY_API_ADDRESS: `127.0.0.1:${await freePort()}`,
        VPN_MAX_ATTEMPTS: '2',
        VPN_CIRCUIT_THRESHOLD: '100',
      },
      logger,
    );
    const dbs = app.get(DbService);
    const sub = await insertSubscription(dbs);
    const id = await insertOperation(dbs, sub, 'provision');

    await run(app);
    expect(await operation(dbs, id)).toMatchObject({ state: 'pending', attempts: 1 });
    await dbs.query('test', `UPDATE vpn_operations SET next_attempt_at = now()`);
    await run(app);

    expect(await operation(dbs, id)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(
      logger.matching(new RegExp(`vpn operation ${id} \\(provision ${sub.vpnEmail}.*failed permanently`)),
    ).toHaveLength(1);
    const admin = app.get(VpnOperationsService);
    expect(await admin.listFailed()).toMatchObject([
      { id, kind: 'provision', lastError: expect.stringMatching(/gave up after 2 attempts/) },
    ]);
    expect((await admin.metrics()).byState.failed).toBe(1);
    expect(await admin.retry(id)).toBe(true);
    expect(await operation(dbs, id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await admin.retry(id)).toBe(false);
  });
});

describe('provisioning outbox with permanent errors', () => {
  let core: FakeXrayCore;
  beforeAll(async () => {
    core = await new FakeXrayCore('xray', 'vless-in').start();
  });
  afterAll(async () => {
    await core?.stop();
  });

  it('fails a wrong inbound tag at once as misconfiguration instead of retrying forever', async () => {
    const app = await appFor({ XRAY_API_ADDRESS: core.apiAddress, XRAY_INBOUND_TAG: 'wrong-tag' });
    const dbs = app.get(DbService);
    const id = await insertOperation(dbs, await insertSubscription(dbs), 'provision');
    await run(app);
    const row = await operation(dbs, id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/^misconfigured: .*failed to get handler: wrong-tag/);
  });

  it('fails an invalid user at once and keeps delivering the others', async () => {
    const app = await appFor({ XRAY_API_ADDRESS: core.apiAddress, XRAY_INBOUND_TAG: 'vless-in' });
    const dbs = app.get(DbService);
    const bad = await insertOperation(dbs, await insertSubscription(dbs), 'provision', {
      vpnEmail: 'has space@x',
    });
    const good = await insertOperation(dbs, await insertSubscription(dbs), 'provision');
    await run(app);
    expect(await operation(dbs, bad)).toMatchObject({ state: 'failed' });
    expect((await operation(dbs, bad)).last_error).toMatch(/^invalid_user: /);
    expect(await operation(dbs, good)).toMatchObject({ state: 'done' });
  });

  it('queues "key ready" once per key even when the provision is delivered twice', async () => {
    const app = await appFor({ XRAY_API_ADDRESS: core.apiAddress, XRAY_INBOUND_TAG: 'vless-in' });
    const dbs = app.get(DbService);
    const sub = await insertSubscription(dbs);
    await insertOperation(dbs, sub, 'provision', { notifyUser: true });
    await insertOperation(dbs, sub, 'provision', { notifyUser: true });
    await run(app);
    const rows = await dbs.query('test', `SELECT state FROM vpn_operations WHERE subscription_id = $1`, [
      sub.id,
    ]);
    expect(rows).toEqual([{ state: 'done' }, { state: 'done' }]);
    const notes = await dbs.query('test', `SELECT dedupe_key FROM notifications WHERE user_id = $1`, [
      sub.userId,
    ]);
    expect(notes).toHaveLength(1);
  });
});
