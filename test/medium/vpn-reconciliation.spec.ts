import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { ReconciliationService } from '../../src/vpn/reconciliation.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { createTestApp } from '../support/test-app';
import { insertOperation, insertSubscription } from '../support/v2ray-fixtures';

describe('reconciliation on a core that can list users (Xray)', () => {
  let db: TestDatabase;
  let core: FakeXrayCore;
  let app: INestApplication;
  let dbs: DbService;
  const logger = new CapturedLogger();
  const pass = () => app.get(ReconciliationService).runOnce({ signal: AbortSignal.timeout(20_000) });
  const onCore = (email: string) => core.users.get(email)?.uuid;

  beforeAll(async () => {
    core = await new FakeXrayCore('xray', 'vless-in').start();
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: { XRAY_API_ADDRESS: core.apiAddress, XRAY_INBOUND_TAG: 'vless-in', VPN_ORPHAN_GRACE_MS: '300' },
      imports: [VpnModule],
      logger,
    }));
    dbs = app.get(DbService);
  });
  beforeEach(() => core.reset());
  afterAll(async () => {
    await app?.close();
    await core?.stop();
    await db?.drop();
  });

  it('adds missing active users and removes expired and revoked ones', async () => {
    const active = await insertSubscription(dbs);
    const expired = await insertSubscription(dbs, { status: 'expired' });
    const revoked = await insertSubscription(dbs, { status: 'revoked' });
    core.users.set(expired.vpnEmail, { email: expired.vpnEmail, uuid: expired.vpnUuid });
    core.users.set(revoked.vpnEmail, { email: revoked.vpnEmail, uuid: revoked.vpnUuid });

    await pass();

    expect(onCore(active.vpnEmail)).toBe(active.vpnUuid);
    expect(onCore(expired.vpnEmail)).toBeUndefined();
    expect(onCore(revoked.vpnEmail)).toBeUndefined();
    expect(app.get(ReconciliationService).lastSummary).toMatchObject({
      listing: true,
      removed: 2,
      errors: 0,
    });
  });

  it('repairs a UUID mismatch with remove + add', async () => {
    const sub = await insertSubscription(dbs);
    core.users.set(sub.vpnEmail, { email: sub.vpnEmail, uuid: randomUUID() });
    await pass();
    expect(onCore(sub.vpnEmail)).toBe(sub.vpnUuid);
    expect(app.get(ReconciliationService).lastSummary).toMatchObject({ repaired: 1 });
  });

  it('removes an orphan only once it has been seen for the grace window, and never the sentinel', async () => {
    core.users.set('ghost@vpn.local', { email: 'ghost@vpn.local', uuid: randomUUID() });
    await pass();
    expect(onCore('ghost@vpn.local')).toBeDefined();
    await new Promise((r) => setTimeout(r, 350));
    await pass();
    expect(onCore('ghost@vpn.local')).toBeUndefined();
    expect(onCore('sentinel@vpn.local')).toBeDefined();
    expect(app.get(ReconciliationService).lastSummary).toMatchObject({ orphansRemoved: 1 });
  });

  it('leaves subscriptions with a pending outbox operation to the outbox', async () => {
    const sub = await insertSubscription(dbs, { status: 'expired' });
    core.users.set(sub.vpnEmail, { email: sub.vpnEmail, uuid: sub.vpnUuid });
    await insertOperation(dbs, sub, 'revoke');
    await pass();
    expect(onCore(sub.vpnEmail)).toBe(sub.vpnUuid);
  });

  it('reports lost state and re-adds everyone after the core forgot its users', async () => {
    const subs = [await insertSubscription(dbs), await insertSubscription(dbs)];
    await pass();
    core.reset();
    await pass();
    for (const s of subs) expect(onCore(s.vpnEmail)).toBe(s.vpnUuid);
    expect(app.get(ReconciliationService).lastSummary).toMatchObject({ stateLost: true });
    expect(
      logger.matching(/^vpn reconcile: .* state_lost=true listing=true took_ms=\d+$/).length,
    ).toBeGreaterThan(0);
  });
});
