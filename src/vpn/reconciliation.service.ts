import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { AppConfig } from '../config/app-config';
import type { JobContext, JobResult } from '../jobs/job.types';
import { mapLimit } from './map-limit';
import { placementOf } from './node-placement';
import { isCircuitOpenError } from './vpn-circuit';
import { VpnFleetService, type VpnNodeLane } from './vpn-fleet.service';
import { VpnNodesRepository, type VpnNodeRow } from './vpn-nodes.repository';
import type { VpnProvider } from './vpn-provider';
import {
  VpnSubscriptionsRepository,
  type DesiredUser,
  type NodePlacement,
} from './vpn-subscriptions.repository';

const PAGE = 500;
const CONCURRENCY = 16;

export interface ReconcileSummary {
  checked: number;
  added: number;
  removed: number;
  repaired: number;
  orphansRemoved: number;
  errors: number;
  stateLost: boolean;
  listing: boolean;
  aborted?: string;
}

type Action = { kind: 'add' | 'remove' | 'repair'; user: DesiredUser };

/** With a listing (Xray) it also fixes UUIDs and removes orphans; v2fly converges blindly. */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('ReconciliationService');
  /** Per node: orphan e-mail → when first seen; in memory, so a restart only delays the removal. */
  private readonly orphanSince = new Map<string, Map<string, number>>();
  lastSummary?: ReconcileSummary;
  readonly lastByNode = new Map<string, ReconcileSummary>();

  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly fleet: VpnFleetService,
    private readonly nodes: VpnNodesRepository,
  ) {}

  /** One pass per node, one node after the other; a node that is down ends only its own pass. */
  async runOnce(ctx: Pick<JobContext, 'signal'> & Partial<JobContext>): Promise<JobResult> {
    const fleet = await this.nodes.findAll();
    const total = emptySummary();
    const aborted: string[] = [];
    for (const lane of this.fleet.lanes) {
      const row = fleet.find((n) => n.code === lane.node.code);
      if (!row) continue;
      const s = await this.reconcileNode(lane, row, fleet, ctx);
      this.lastByNode.set(lane.node.code, s);
      for (const k of ['checked', 'added', 'removed', 'repaired', 'orphansRemoved', 'errors'] as const)
        total[k] += s[k];
      total.stateLost ||= s.stateLost;
      total.listing ||= s.listing;
      if (s.aborted)
        aborted.push(this.fleet.lanes.length > 1 ? `${lane.node.code}: ${s.aborted}` : s.aborted);
    }
    if (aborted.length) total.aborted = aborted.join('; ');
    this.lastSummary = total;
    return { processed: total.checked, failed: total.errors };
  }

  private async reconcileNode(
    { node, provider, circuit }: VpnNodeLane,
    row: VpnNodeRow,
    fleet: readonly VpnNodeRow[],
    ctx: Pick<JobContext, 'signal'> & Partial<JobContext>,
  ): Promise<ReconcileSummary> {
    const t0 = performance.now();
    const s = emptySummary();
    const state = row.state;
    // The writer's rule, tag fallback included: reconciliation never removes a key the writer placed.
    const placement: NodePlacement = placementOf(this.config, { ...row, capacity: node.capacity }, fleet);
    // Every in-flight call listens on the job's signal (circuit breaker + gRPC cancel).
    setMaxListeners(CONCURRENCY * 4, ctx.signal);
    const call = <T>(fn: (signal: AbortSignal) => Promise<T>) => circuit.execute(fn, ctx.signal);
    try {
      s.stateLost = (await call((signal) => provider.health({ signal }))).stateLost;
      const listed = await call((signal) => provider.listUsers({ signal }));
      const onCore = listed ? new Map(listed.map((u) => [u.email, u.uuid])) : undefined;
      s.listing = !!onCore;
      const known = new Set<string>();
      let afterId = '0';
      while (!ctx.signal.aborted) {
        const page = await this.subscriptions.page(afterId, PAGE, placement);
        if (!page.length) break;
        afterId = page[page.length - 1].id;
        s.checked += page.length;
        for (const u of page) known.add(u.vpnEmail);
        // A draining node keeps the keys it has but gets no new ones.
        const actions = page
          .filter((u) => !u.busy)
          .flatMap((u) => plan(u, onCore))
          .filter((a) => state !== 'draining' || a.kind !== 'add');
        await mapLimit(actions, CONCURRENCY, (a) => this.apply(a, s, provider, call));
        ctx.progress?.({ processed: page.length });
        if (circuit.isOpen) throw new Error('circuit open');
      }
      if (onCore) await this.removeOrphans(node.code, onCore, known, s, provider, call);
    } catch (err) {
      s.aborted = isCircuitOpenError(err) ? 'circuit open' : (err as Error).message;
    }
    const line =
      `vpn reconcile: checked=${s.checked} added=${s.added} removed=${s.removed} repaired=${s.repaired} ` +
      `orphans_removed=${s.orphansRemoved} errors=${s.errors} state_lost=${s.stateLost} ` +
      `listing=${s.listing} took_ms=${Math.round(performance.now() - t0)}` +
      (this.fleet.lanes.length > 1 ? ` node=${node.code}` : '') +
      (s.aborted ? ` aborted="${s.aborted}"` : '');
    if (s.aborted || s.errors) this.logger.warn(line);
    else this.logger.log(line);
    return s;
  }

  private async apply(
    a: Action,
    s: ReconcileSummary,
    provider: VpnProvider,
    call: <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const user = { email: a.user.vpnEmail, uuid: a.user.vpnUuid };
    try {
      if (a.kind === 'remove') {
        if ((await call((signal) => provider.removeUser(user.email, { signal }))) === 'removed') s.removed++;
        return;
      }
      if (a.kind === 'repair') {
        await call((signal) => provider.removeUser(user.email, { signal }));
        await call((signal) => provider.addUser(user, { signal }));
        s.repaired++;
        return;
      }
      if ((await call((signal) => provider.addUser(user, { signal }))) === 'created') s.added++;
    } catch (err) {
      if (isCircuitOpenError(err)) return;
      s.errors++;
      if (s.errors <= 5)
        this.logger.warn(`reconcile ${a.kind} ${user.email} failed: ${(err as Error).message}`);
    }
  }

  private async removeOrphans(
    node: string,
    onCore: Map<string, string>,
    known: Set<string>,
    s: ReconcileSummary,
    provider: VpnProvider,
    call: <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const now = Date.now();
    const orphanSince = this.orphanSince.get(node) ?? new Map<string, number>();
    this.orphanSince.set(node, orphanSince);
    const sentinel = this.config.vpn.sentinelEmail;
    const candidates = [...onCore.keys()].filter((e) => !known.has(e) && e !== sentinel);
    for (const email of orphanSince.keys()) if (!candidates.includes(email)) orphanSince.delete(email);
    for (const email of candidates) if (!orphanSince.has(email)) orphanSince.set(email, now);
    const due = candidates.filter(
      (e) => now - orphanSince.get(e)! >= this.config.vpn.reconcile.orphanGraceMs,
    );
    // A subscription created while this pass was paging is not an orphan: check again before removing.
    const nowKnown = await this.subscriptions.existingEmails(due);
    await mapLimit(
      due.filter((e) => !nowKnown.has(e)),
      CONCURRENCY,
      async (email) => {
        try {
          await call((signal) => provider.removeUser(email, { signal }));
          orphanSince.delete(email);
          s.orphansRemoved++;
        } catch (err) {
          if (!isCircuitOpenError(err)) s.errors++;
        }
      },
    );
  }
}

function emptySummary(): ReconcileSummary {
  return {
    checked: 0,
    added: 0,
    removed: 0,
    repaired: 0,
    orphansRemoved: 0,
    errors: 0,
    stateLost: false,
    listing: false,
  };
}

function plan(u: DesiredUser, onCore: Map<string, string> | undefined): Action[] {
  if (!onCore) return [{ kind: u.active ? 'add' : 'remove', user: u }];
  const uuid = onCore.get(u.vpnEmail);
  if (!u.active) return uuid === undefined ? [] : [{ kind: 'remove', user: u }];
  if (uuid === undefined) return [{ kind: 'add', user: u }];
  return uuid === u.vpnUuid.toLowerCase() ? [] : [{ kind: 'repair', user: u }];
}
