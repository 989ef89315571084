import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { VpnCoreIndicator } from '../../src/watchdog/vpn-core.indicator';
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
});
