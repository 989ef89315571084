import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { TrafficAccountingService } from '../../src/traffic/traffic-accounting.service';
import { TrafficModule } from '../../src/traffic/traffic.module';
import { MetricsService } from '../../src/watchdog/metrics.service';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createFactory } from '../support/factories';
import { createTestApp } from '../support/test-app';
import { DbService } from '../../src/database/db.service';

let db: TestDatabase;
let app: INestApplication;
const cores: FakeXrayCore[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) cores.push(await new FakeXrayCore('xray', 'vless-in').start());
  db = await createTestDatabase();
  ({ app } = await createTestApp({
    databaseUrl: db.url,
    env: {
      VPN_NODES: JSON.stringify(
        cores.map((c, i) => ({ code: `n${i + 1}`, apiAddress: c.apiAddress, inboundTag: 'vless-in' })),
      ),
      PLANS: JSON.stringify([{ code: 'lim', days: 30, prices: { RUB: 100 }, trafficGb: 1 }]),
    },
    imports: [SubscriptionsModule, TrafficModule, WatchdogModule],
  }));
});
afterAll(async () => {
  await app?.close();
  for (const c of cores) await c.stop();
  await db?.drop();
});

describe('traffic metrics', () => {
  it('exports the bytes counted per node and direction, and the users over their limit', async () => {
    const factory = createFactory(app.get(DbService).dataSource);
    const heavy = await factory.subscription({ planCode: 'lim' });
    const light = await factory.subscription({ planCode: 'lim' });
    const set = (core: FakeXrayCore, email: string, up: number, down: number) => {
      core.counters.set(`user>>>${email}>>>traffic>>>uplink`, up);
      core.counters.set(`user>>>${email}>>>traffic>>>downlink`, down);
    };
    set(cores[0], heavy.vpnEmail, 1_000, 2 ** 30);
    set(cores[0], light.vpnEmail, 10, 20);
    set(cores[1], light.vpnEmail, 300, 400);
    await app.get(TrafficAccountingService).runOnce({ signal: AbortSignal.timeout(10_000) });

    const text = await app.get(MetricsService).render();
    expect(text).toMatch(/^vpn_traffic_bytes_total\{node="n1",direction="uplink"\} 1010$/m);
    expect(text).toMatch(
      new RegExp(`^vpn_traffic_bytes_total\\{node="n1",direction="downlink"\\} ${2 ** 30 + 20}$`, 'm'),
    );
    expect(text).toMatch(/^vpn_traffic_bytes_total\{node="n2",direction="downlink"\} 400$/m);
    expect(text).toMatch(/^vpn_users_over_traffic_limit 1$/m);
  });
});
