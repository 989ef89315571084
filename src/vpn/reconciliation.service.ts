import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { AppConfig } from '../config/app-config';
import type { JobContext, JobResult } from '../jobs/job.types';
import { mapLimit } from './map-limit';
import { isCircuitOpenError, VpnCircuit } from './vpn-circuit';
import { VpnProvider } from './vpn-provider';
import { VpnSubscriptionsRepository, type DesiredUser } from './vpn-subscriptions.repository';

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

/**
 * Converges the core to the database: every active subscription present, every other one absent. With a
 * listing (Xray) it also repairs UUID mismatches and removes orphans after a grace window; without one
 * (v2fly) it converges blindly, relying on idempotent add/remove. One summary line per pass.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('ReconciliationService');
  /** Orphan e-mail → when first seen; in memory, so a restart only delays the removal. */
  private readonly orphanSince = new Map<string, number>();
  lastSummary?: ReconcileSummary;

  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly provider: VpnProvider,
    private readonly circuit: VpnCircuit,
  ) {}

  async runOnce(ctx: Pick<JobContext, 'signal'> & Partial<JobContext>): Promise<JobResult> {
    const t0 = performance.now();
    const s: ReconcileSummary = {
      checked: 0,
      added: 0,
      removed: 0,
      repaired: 0,
      orphansRemoved: 0,
      errors: 0,
      stateLost: false,
      listing: false,
    };
    // Every in-flight call listens on the job's signal (circuit breaker + gRPC cancel).
    setMaxListeners(CONCURRENCY * 4, ctx.signal);
    const call = <T>(fn: (signal: AbortSignal) => Promise<T>) => this.circuit.execute(fn, ctx.signal);
    try {
      s.stateLost = (await call((signal) => this.provider.health({ signal }))).stateLost;
      const listed = await call((signal) => this.provider.listUsers({ signal }));
      const onCore = listed ? new Map(listed.map((u) => [u.email, u.uuid])) : undefined;
      s.listing = !!onCore;
      const known = new Set<string>();
      let afterId = '0';
      while (!ctx.signal.aborted) {
        const page = await this.subscriptions.page(afterId, PAGE);
        if (!page.length) break;
        afterId = page[page.length - 1].id;
        s.checked += page.length;
        for (const u of page) known.add(u.vpnEmail);
        const actions = page.filter((u) => !u.busy).flatMap((u) => plan(u, onCore));
        await mapLimit(actions, CONCURRENCY, (a) => this.apply(a, s, call));
        ctx.progress?.({ processed: page.length });
        if (this.circuit.isOpen) throw new Error('circuit open');
      }
      if (onCore) await this.removeOrphans(onCore, known, s, call);
    } catch (err) {
      s.aborted = isCircuitOpenError(err) ? 'circuit open' : (err as Error).message;
    }
    this.lastSummary = s;
    const line =
      `vpn reconcile: checked=${s.checked} added=${s.added} removed=${s.removed} repaired=${s.repaired} ` +
      `orphans_removed=${s.orphansRemoved} errors=${s.errors} state_lost=${s.stateLost} ` +
      `listing=${s.listing} took_ms=${Math.round(performance.now() - t0)}` +
      (s.aborted ? ` aborted="${s.aborted}"` : '');
    if (s.aborted || s.errors) this.logger.warn(line);
    else this.logger.log(line);
    return { processed: s.checked, failed: s.errors };
  }

  private async apply(
    a: Action,
    s: ReconcileSummary,
    call: <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const user = { email: a.user.vpnEmail, uuid: a.user.vpnUuid };
    try {
      if (a.kind === 'remove') {
        if ((await call((signal) => this.provider.removeUser(user.email, { signal }))) === 'removed')
          s.removed++;
        return;
      }
      if (a.kind === 'repair') {
        await call((signal) => this.provider.removeUser(user.email, { signal }));
        await call((signal) => this.provider.addUser(user, { signal }));
        s.repaired++;
        return;
      }
      if ((await call((signal) => this.provider.addUser(user, { signal }))) === 'created') s.added++;
    } catch (err) {
      if (isCircuitOpenError(err)) return;
      s.errors++;
      if (s.errors <= 5)
        this.logger.warn(`reconcile ${a.kind} ${user.email} failed: ${(err as Error).message}`);
    }
  }

  private async removeOrphans(
    onCore: Map<string, string>,
    known: Set<string>,
    s: ReconcileSummary,
    call: <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const now = Date.now();
    const sentinel = this.config.vpn.sentinelEmail;
    const candidates = [...onCore.keys()].filter((e) => !known.has(e) && e !== sentinel);
    for (const email of this.orphanSince.keys())
      if (!candidates.includes(email)) this.orphanSince.delete(email);
    for (const email of candidates) if (!this.orphanSince.has(email)) this.orphanSince.set(email, now);
    const due = candidates.filter(
      (e) => now - this.orphanSince.get(e)! >= this.config.vpn.reconcile.orphanGraceMs,
    );
    // A subscription created while this pass was paging is not an orphan: check again before removing.
    const nowKnown = await this.subscriptions.existingEmails(due);
    await mapLimit(
      due.filter((e) => !nowKnown.has(e)),
      CONCURRENCY,
      async (email) => {
        try {
          await call((signal) => this.provider.removeUser(email, { signal }));
          this.orphanSince.delete(email);
          s.orphansRemoved++;
        } catch (err) {
          if (!isCircuitOpenError(err)) s.errors++;
        }
      },
    );
  }
}

function plan(u: DesiredUser, onCore: Map<string, string> | undefined): Action[] {
  if (!onCore) return [{ kind: u.active ? 'add' : 'remove', user: u }];
  const uuid = onCore.get(u.vpnEmail);
  if (!u.active) return uuid === undefined ? [] : [{ kind: 'remove', user: u }];
  if (uuid === undefined) return [{ kind: 'add', user: u }];
  return uuid === u.vpnUuid.toLowerCase() ? [] : [{ kind: 'repair', user: u }];
}
