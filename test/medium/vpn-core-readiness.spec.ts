import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { DbService } from '../../src/database/db.service';
import { MetricsService } from '../../src/watchdog/metrics.service';
import { VpnCoreIndicator } from '../../src/watchdog/vpn-core.indicator';
import { createFactory } from '../support/factories';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';

const apps: INestApplication[] = [];
let db: TestDatabase;
let core: FakeXrayCore;
beforeAll(async () => {
  db = await createTestDatabase();
  core = await new FakeXrayCore('xray', 'vless-in').start();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  await core?.stop();
  await db?.drop();
});

async function appFor(opts: { vpn: boolean; env?: Record<string, string> }) {
  const { app } = await createTestApp({
    databaseUrl: db.url,
    env: { WATCHDOG_LOOP_STALL_MS: '60000', ...opts.env },
    imports: [WatchdogModule, ...(opts.vpn ? [VpnModule] : [])],
  });
  apps.push(app);
  return app;
}

const vpnCore = (app: INestApplication) => app.get(VpnCoreIndicator).check().vpnCore;

describe('VPN core on the readiness probe', () => {
  it('says unknown, and stays up, in an application without the VPN module', async () => {
    const app = await appFor({ vpn: false });
    expect(vpnCore(app)).toEqual({ status: 'up', state: 'unknown', reportOnly: true, note: 'no VPN module' });
  });

  it('reports the core reachable after a probe it answered', async () => {
    const app = await appFor({
      vpn: true,
      env: { XRAY_API_ADDRESS: core.apiAddress, XRAY_INBOUND_TAG: 'vless-in' },
    });
    expect(vpnCore(app)).toMatchObject({ status: 'up', state: 'unknown', circuit: 'closed' });
    expect(await app.get(JobRunnerService).runNow('vpn-health')).toBe('ok');
    const v = vpnCore(app);
    expect(v).toMatchObject({
      status: 'up',
      state: 'reachable',
      reportOnly: true,
      circuit: 'closed',
      lastProbe: 'ok',
    });
    expect(v.lastHealthyAgeMs).toBeGreaterThanOrEqual(0);
    expect(v.lastError).toBeUndefined();
  });

  it('reports the core unreachable, with the probe error, while staying up', async () => {
    const app = await appFor({
      vpn: true,
      env: { XRAY_API_ADDRESS: `127.0.0.1:${await freePort()}`, VPN_API_TIMEOUT_MS: '800' },
    });
    expect(await app.get(JobRunnerService).runNow('vpn-health')).toBe('failed');
    const v = vpnCore(app);
    expect(v).toMatchObject({ status: 'up', state: 'unreachable', reportOnly: true, lastProbe: 'failed' });
    expect(v.lastError).toEqual(expect.any(String));
    expect(v.lastHealthyAgeMs).toBeUndefined();
  });

  it('reports every node apart, with its figures, and stays up while one node is down', async () => {
    const nodes = [
      { code: 'nl-1', apiAddress: core.apiAddress, inboundTag: 'vless-in', capacity: 100 },
      { code: 'de-1', apiAddress: `127.0.0.1:${await freePort()}` },
    ];
    const app = await appFor({
      vpn: true,
      env: { VPN_NODES: JSON.stringify(nodes), XRAY_PROTO_NAMESPACE: 'xray', VPN_API_TIMEOUT_MS: '800' },
    });
    const factory = createFactory(app.get(DbService).dataSource);
    const sub = await factory.subscription();
    const op = (node: string, state: string) =>
      app.get(DbService).query(
        'test',
        `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, node_code, state)
         VALUES ($1, $2, 'provision', $3, $4, $5, $6)`,
        [sub.id, sub.userId, sub.vpnUuid, sub.vpnEmail, node, state],
      );
    await op('nl-1', 'done');
    await op('de-1', 'failed');
    await op('de-1', 'pending');

    expect(await app.get(JobRunnerService).runNow('vpn-health')).toBe('failed');
    const v = vpnCore(app);
    expect(v).toMatchObject({ status: 'up', state: 'unreachable', reportOnly: true });
    expect(v.cores['nl-1']).toMatchObject({
      state: 'reachable',
      node: 'active',
      users: 1,
      capacity: 100,
      backlog: 0,
    });
    expect(v.cores['de-1']).toMatchObject({
      state: 'unreachable',
      node: 'active',
      users: 0,
      backlog: 1,
      failedOperations: 1,
      lastError: expect.any(String),
    });

    const metrics = await app.get(MetricsService).render();
    expect(metrics).toContain('vpn_node_core_reachable{node="nl-1"} 1');
    expect(metrics).toContain('vpn_node_core_reachable{node="de-1"} 0');
    expect(metrics).toContain('vpn_node_users{node="nl-1"} 1');
    expect(metrics).toContain('vpn_node_capacity{node="nl-1"} 100');
    expect(metrics).toContain('vpn_node_outbox_backlog{node="de-1"} 1');
    expect(metrics).toContain('vpn_node_operations_failed{node="de-1"} 1');
    expect(metrics).toMatch(/vpn_node_circuit_open\{node="de-1"\} [01]/);
    expect(metrics).toContain('vpn_node_circuit_open{node="nl-1"} 0');
  });
});
