import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { CoreHealthService } from '../../src/vpn/core-health.service';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { ReconciliationJob } from '../../src/vpn/reconciliation.job';
import { ReconciliationService } from '../../src/vpn/reconciliation.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { VpnProvider } from '../../src/vpn/vpn-provider';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';
import { insertOperation, insertSubscription, operation } from '../support/v2ray-fixtures';

describe.skipIf(!v2rayAvailable())('VPN provisioning on the real v2fly core', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let core: V2rayCore;
  let target: Awaited<ReturnType<typeof startTargetServer>>;
  let dbs: DbService;
  const logger = new CapturedLogger();
  const access = (uuid: string) => vlessGet({ vlessPort: core.vlessPort, uuid, targetPort: target.port });
  const signal = () => AbortSignal.timeout(20_000);

  beforeAll(async () => {
    target = await startTargetServer();
    core = await startV2rayCore({ targetPort: target.port });
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: {
        XRAY_API_ADDRESS: core.apiAddress,
        XRAY_INBOUND_TAG: core.inboundTag,
        XRAY_PROTO_NAMESPACE: 'v2ray.core',
        VPN_PUBLIC_HOST: 'vpn.example.com',
      },
      imports: [VpnModule],
      logger,
    }));
    dbs = app.get(DbService);
  });
  afterAll(async () => {
    await app?.close();
    await core?.stop();
    await target?.close();
    await db?.drop();
  });

  it('provisions a paid subscription end to end: the key works and "key ready" is queued once', async () => {
    const sub = await insertSubscription(dbs);
    const op = await insertOperation(dbs, sub, 'provision', { notifyUser: true });
    expect(await access(sub.vpnUuid)).toMatchObject({ accepted: false });

    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });

    expect(await operation(dbs, op)).toMatchObject({ state: 'done', attempts: 1, last_error: null });
    expect(await access(sub.vpnUuid)).toMatchObject({ accepted: true });
    const notes = await dbs.query(
      'test',
      `SELECT kind, dedupe_key, user_id FROM notifications WHERE user_id = $1`,
      [sub.userId],
    );
    expect(notes).toEqual([
      { kind: 'key_ready', dedupe_key: `key_ready:${sub.id}:${sub.vpnUuid}`, user_id: String(sub.userId) },
    ]);
  });

  it('revokes an expired subscription: new connections are refused', async () => {
    const sub = await insertSubscription(dbs);
    await insertOperation(dbs, sub, 'provision');
    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
    expect(await access(sub.vpnUuid)).toMatchObject({ accepted: true });

    await dbs.query('test', `UPDATE subscriptions SET status = 'expired', expired_at = now() WHERE id = $1`, [
      sub.id,
    ]);
    const revoke = await insertOperation(dbs, sub, 'revoke');
    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });

    expect(await operation(dbs, revoke)).toMatchObject({ state: 'done' });
    expect(await access(sub.vpnUuid)).toMatchObject({ accepted: false });
  });

  it('applies a reissue (revoke old UUID, provision new one, same e-mail) in order within one pass', async () => {
    const sub = await insertSubscription(dbs);
    await insertOperation(dbs, sub, 'provision');
    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
    const oldUuid = sub.vpnUuid;
    const newUuid = crypto.randomUUID();
    await dbs.query('test', `UPDATE subscriptions SET vpn_uuid = $2 WHERE id = $1`, [sub.id, newUuid]);
    await insertOperation(dbs, sub, 'revoke');
    await insertOperation(dbs, { ...sub, vpnUuid: newUuid }, 'provision');

    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });

    expect(await access(oldUuid)).toMatchObject({ accepted: false });
    expect(await access(newUuid)).toMatchObject({ accepted: true });
  });

  it('re-adds everyone after the core is killed and restarted: sentinel → reconciliation → access again', async () => {
    const subs = [await insertSubscription(dbs), await insertSubscription(dbs)];
    for (const s of subs) await insertOperation(dbs, s, 'provision');
    await app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
    await app.get(VpnProvider).health();
    for (const s of subs) expect(await access(s.vpnUuid)).toMatchObject({ accepted: true });

    await core.restart();
    for (const s of subs) expect(await access(s.vpnUuid)).toMatchObject({ accepted: false });
    expect(await app.get(CoreHealthService).runOnce({ signal: signal() })).toEqual({ stateLost: true });

    for (const s of subs) expect(await access(s.vpnUuid)).toMatchObject({ accepted: true });
    expect(app.get(ReconciliationService).lastSummary).toMatchObject({ listing: false, errors: 0 });
    expect(app.get(ReconciliationService).lastSummary!.added).toBeGreaterThanOrEqual(subs.length);
    expect(
      logger.matching(/^vpn reconcile: checked=\d+ added=\d+ .* listing=false took_ms=\d+$/),
    ).not.toHaveLength(0);
  });

  it('converges blindly on v2fly: adds a missing active user, removes an expired one left on the core', async () => {
    const missing = await insertSubscription(dbs);
    const stale = await insertSubscription(dbs, { status: 'expired' });
    await app.get(VpnProvider).addUser({ email: stale.vpnEmail, uuid: stale.vpnUuid });
    expect(await access(stale.vpnUuid)).toMatchObject({ accepted: true });

    await app.get(JobRunnerService).runNow(ReconciliationJob.jobName);

    expect(await access(missing.vpnUuid)).toMatchObject({ accepted: true });
    expect(await access(stale.vpnUuid)).toMatchObject({ accepted: false });
  });
});
