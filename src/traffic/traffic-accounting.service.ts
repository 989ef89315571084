import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService } from '../database/db.service';
import type { JobContext, JobResult } from '../jobs/job.types';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository, type NotificationInput } from '../notifications/notifications.repository';
import { SignalsService } from '../signals/signals.service';
import { VpnDesiredStateRepository, vpnTarget } from '../vpn/vpn-desired-state.repository';
import { VpnFleetService, type VpnNodeLane } from '../vpn/vpn-fleet.service';
import type { VpnTrafficSnapshot } from '../vpn/vpn-provider';
import { TrafficCountersRepository, type NearLimit } from './traffic-counters.repository';
import { TrafficLimitsRepository } from './traffic-limits.repository';

/** Users per write transaction: ~10 ms statements, short holds, however large the node. */
export const TRAFFIC_CHUNK = 2_000;
const UNBLOCK_BATCH = 500;

/** Signals the metrics read: bytes counted per node and direction, and the users over their limit. */
export const TRAFFIC_COUNTED_SIGNAL = 'traffic.counted';
export const TRAFFIC_OVER_LIMIT_SIGNAL = 'traffic.over_limit';

export interface TrafficPassSummary {
  nodes: { node: string; users: number; uplinkBytes: number; downlinkBytes: number; error?: string }[];
  blocked: number;
  restored: number;
  notices: number;
}

/** Nodes read in parallel (own deadline and circuit), written in short transactions with notices. */
@Injectable()
export class TrafficAccountingService {
  private readonly logger = new Logger('TrafficAccountingService');
  lastSummary?: TrafficPassSummary;
  /** Skips unchanged users (most are idle); only a filter, the table stays the truth. */
  private readonly committed = new Map<string, Map<string, string>>();
  private readonly failing = new Set<string>();

  constructor(
    private readonly db: DbService,
    private readonly fleet: VpnFleetService,
    private readonly counters: TrafficCountersRepository,
    private readonly limits: TrafficLimitsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly desiredState: VpnDesiredStateRepository,
    private readonly signals: SignalsService,
  ) {}

  async runOnce(ctx: Pick<JobContext, 'signal'> & Partial<JobContext>): Promise<JobResult> {
    const summary: TrafficPassSummary = { nodes: [], blocked: 0, restored: 0, notices: 0 };
    summary.restored = await this.restoreDue(ctx.signal);
    // Writes are chained: reads overlap, but the job holds one connection and rows are never contended.
    let writes = Promise.resolve();
    await Promise.all(
      this.fleet.lanes.map(async (lane) => {
        const n = {
          node: lane.node.code,
          users: 0,
          uplinkBytes: 0,
          downlinkBytes: 0,
          error: undefined as string | undefined,
        };
        summary.nodes.push(n);
        let snapshot: VpnTrafficSnapshot | undefined;
        try {
          snapshot = await lane.circuit.execute((signal) => lane.provider.traffic({ signal }), ctx.signal);
        } catch (err) {
          n.error = (err as Error).message;
          return;
        }
        if (!snapshot) return;
        const write = writes.then(() => this.record(lane, snapshot, n, summary, ctx));
        writes = write.catch(() => undefined);
        await write.catch((err: unknown) => (n.error = `write: ${(err as Error).message}`));
      }),
    );
    await writes;
    this.signals.record(TRAFFIC_OVER_LIMIT_SIGNAL, { users: await this.limits.countBlocked() });
    this.lastSummary = summary;
    const failed = summary.nodes.filter((n) => n.error);
    // Said once per outage: the job's summary line counts the failed nodes every pass.
    for (const n of summary.nodes) {
      if (n.error && !this.failing.has(n.node))
        this.logger.warn(`traffic of node ${n.node} not read: ${n.error}`);
      else if (!n.error && this.failing.has(n.node)) this.logger.log(`traffic of node ${n.node} read again`);
      if (n.error) this.failing.add(n.node);
      else this.failing.delete(n.node);
    }
    return { processed: summary.nodes.reduce((s, n) => s + n.users, 0), failed: failed.length };
  }

  private async record(
    lane: VpnNodeLane,
    snapshot: VpnTrafficSnapshot,
    n: TrafficPassSummary['nodes'][number],
    summary: TrafficPassSummary,
    ctx: Pick<JobContext, 'signal'> & Partial<JobContext>,
  ): Promise<void> {
    const seen = this.committed.get(lane.node.code) ?? new Map<string, string>();
    this.committed.set(lane.node.code, seen);
    const key = (u: { uplinkBytes: number; downlinkBytes: number }) => `${u.uplinkBytes}:${u.downlinkBytes}`;
    const changed = snapshot.users.filter((u) => seen.get(u.email) !== key(u));
    n.users += snapshot.users.length - changed.length;
    for (let i = 0; i < changed.length; i += TRAFFIC_CHUNK) {
      if (ctx.signal.aborted) throw new Error('aborted');
      const chunk = changed.slice(i, i + TRAFFIC_CHUNK);
      const counted = await this.db.transaction('traffic.accumulate', async (em) => {
        const c = await this.counters.accumulate(em, lane.node.code, chunk, snapshot.coreStartedAt);
        const effects = await this.enforce(em, c.near);
        summary.blocked += effects.blocked;
        summary.notices += effects.notices;
        return c;
      });
      for (const u of chunk) seen.set(u.email, key(u));
      n.users += chunk.length;
      n.uplinkBytes += counted.uplinkBytes;
      n.downlinkBytes += counted.downlinkBytes;
      ctx.progress?.({ processed: chunk.length });
      if (counted.uplinkBytes || counted.downlinkBytes)
        this.signals.record(TRAFFIC_COUNTED_SIGNAL, {
          node: lane.node.code,
          uplinkBytes: counted.uplinkBytes,
          downlinkBytes: counted.downlinkBytes,
        });
    }
  }

  /** 80 %: a warning; 100 %: a notice and the key revoked on every node. Dedupe keys carry the period. */
  private async enforce(em: EntityManager, near: NearLimit[]): Promise<{ blocked: number; notices: number }> {
    if (!near.length) return { blocked: 0, notices: 0 };
    const over = near.filter((s) => s.usedBytes >= s.limitBytes);
    const blocked = await this.limits.blockAndRevoke(
      em,
      over.filter((s) => !s.blocked).map((s) => s.subscriptionId),
    );
    const notices: NotificationInput[] = near.map((s) => {
      const full = s.usedBytes >= s.limitBytes;
      return {
        userId: s.userId,
        kind: full ? 'traffic_exhausted' : 'traffic_warning',
        dedupeKey: dedupeKeys.traffic(s.subscriptionId, full ? 100 : 80, s.periodStart),
        payload: { usedBytes: s.usedBytes, limitBytes: s.limitBytes, reset: s.reset },
      };
    });
    return { blocked: blocked.length, notices: await this.notifications.enqueueMany(em, notices) };
  }

  /** Keys held back for a period that has turned over (or a limit that no longer applies) go back. */
  private async restoreDue(signal: AbortSignal): Promise<number> {
    let restored = 0;
    while (!signal.aborted) {
      const batch = await this.db.transaction('traffic.restore', async (em) => {
        const due = await this.limits.unblockDue(em, UNBLOCK_BATCH);
        for (const s of due)
          if (s.active)
            await this.desiredState.provision(em, vpnTarget({ ...s, id: s.subscriptionId }), {
              notifyUser: false,
            });
        return due.length;
      });
      restored += batch;
      if (batch < UNBLOCK_BATCH) break;
    }
    if (restored) this.logger.log(`traffic: ${restored} key(s) restored after a renewal or a period reset`);
    // A key queued again while blocked (reissue, admin) is taken off again.
    const again = await this.db.transaction('traffic.reblock', async (em) => {
      const due = await this.limits.requeuedWhileBlocked(em, UNBLOCK_BATCH);
      for (const s of due) await this.desiredState.revoke(em, vpnTarget({ ...s, id: s.subscriptionId }));
      return due.length;
    });
    if (again) this.logger.log(`traffic: ${again} key(s) queued while over the limit removed again`);
    return restored;
  }
}
