import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from '../jobs/backoff';
import type { JobContext, JobResult } from '../jobs/job.types';
import { mapLimit } from './map-limit';
import { isCircuitOpenError } from './vpn-circuit';
import { VpnFleetService, type VpnNodeLane } from './vpn-fleet.service';
import { VpnOperationsRepository, type ClaimedOperation, type Outcome } from './vpn-operations.repository';
import type { VpnProvider } from './vpn-provider';
import { VpnError } from './vpn.errors';

const CONCURRENCY = 16;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 10 * 60_000;

export interface OutboxTotals {
  done: number;
  retried: number;
  failed: number;
  deferredByCircuit: number;
}

/** One lane per node, no connection held during calls: a slow or dead node holds up only its lane. */
@Injectable()
export class ProvisioningOutboxService {
  private readonly logger = new Logger('ProvisioningOutboxService');
  readonly totals: OutboxTotals = emptyTotals();
  readonly totalsByNode = new Map<string, OutboxTotals>();
  /** Lanes run their statements one at a time: the job holds one budget connection, not one per node. */
  private dbTail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly repo: VpnOperationsRepository,
    private readonly fleet: VpnFleetService,
  ) {}

  async runOnce(ctx: Pick<JobContext, 'signal'> & Partial<JobContext>): Promise<JobResult> {
    // Every in-flight call listens on the job's signal (circuit breaker + gRPC cancel).
    setMaxListeners(CONCURRENCY * 4 * Math.max(1, this.fleet.lanes.length), ctx.signal);
    const results = await Promise.all(this.fleet.lanes.map((lane) => this.drainLane(lane, ctx)));
    return {
      processed: results.reduce((n, r) => n + (r.processed ?? 0), 0),
      failed: results.reduce((n, r) => n + (r.failed ?? 0), 0),
    };
  }

  private async drainLane(
    lane: VpnNodeLane,
    ctx: Pick<JobContext, 'signal'> & Partial<JobContext>,
  ): Promise<JobResult> {
    const { batch } = this.config.vpn.outbox;
    const lockMs = Math.max(60_000, this.config.vpn.timeoutMs * 4);
    const node = lane.node.code;
    const totals = this.totalsByNode.get(node) ?? emptyTotals();
    this.totalsByNode.set(node, totals);
    let processed = 0;
    let failed = 0;
    while (!ctx.signal.aborted && !lane.circuit.isOpen) {
      const ops = await this.db(() => this.repo.claimDue({ node, batch, lockMs }));
      if (!ops.length) break;
      const results = await mapLimit(ops, CONCURRENCY, (op) => this.execute(lane, op, ctx.signal));
      const done = ops.filter((_, i) => results[i].type === 'done');
      const retry = results.filter((r) => r.type === 'retry').map((r) => r.outcome!);
      const deferred = results.filter((r) => r.type === 'deferred').map((r) => r.outcome!);
      const dead = results.filter((r) => r.type === 'failed').map((r) => r.outcome!);
      await this.db(async () => {
        await this.repo.complete(done);
        await this.repo.reschedule(retry, { countAttempt: true });
        await this.repo.reschedule(deferred, { countAttempt: false });
        await this.repo.fail(dead);
      });
      for (const d of dead)
        this.logger.error(
          `vpn operation ${d.op.id} (${d.op.kind} ${d.op.vpnEmail} on node ${node}, subscription ${d.op.subscriptionId}) ` +
            `failed permanently after ${d.op.attempts} attempt(s): ${d.error}`,
        );
      for (const t of [this.totals, totals]) {
        t.done += done.length;
        t.retried += retry.length;
        t.failed += dead.length;
        t.deferredByCircuit += deferred.length;
      }
      processed += done.length;
      failed += retry.length + dead.length;
      // No early exit on a short batch: the next operation of a subscription becomes claimable only now.
      ctx.progress?.({ processed: done.length, failed: retry.length + dead.length });
    }
    return { processed, failed };
  }

  private db<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.dbTail.then(fn, fn);
    this.dbTail = run.catch(() => undefined);
    return run;
  }

  private async execute(
    lane: VpnNodeLane,
    op: ClaimedOperation,
    signal: AbortSignal,
  ): Promise<{ type: 'done' | 'retry' | 'deferred' | 'failed'; outcome?: Outcome }> {
    try {
      await lane.circuit.execute((s) => this.apply(lane.provider, op, s), signal);
      return { type: 'done' };
    } catch (err) {
      if (isCircuitOpenError(err) || signal.aborted)
        return {
          type: 'deferred',
          outcome: { op, error: 'circuit open: core unavailable', delayMs: lane.circuit.halfOpenAfterMs },
        };
      const error = err instanceof VpnError ? `${err.code}: ${err.message}` : `unexpected: ${String(err)}`;
      if (!(err instanceof VpnError))
        this.logger.error(`vpn operation ${op.id} hit a bug`, (err as Error).stack);
      if (err instanceof VpnError && !err.retryable) return { type: 'failed', outcome: { op, error } };
      if (op.attempts >= this.config.vpn.outbox.maxAttempts)
        return { type: 'failed', outcome: { op, error: `gave up after ${op.attempts} attempts: ${error}` } };
      return { type: 'retry', outcome: { op, error, delayMs: backoffMs(op.attempts) } };
    }
  }

  private async apply(provider: VpnProvider, op: ClaimedOperation, signal: AbortSignal): Promise<void> {
    const user = { email: op.vpnEmail, uuid: op.vpnUuid };
    if (op.kind === 'revoke') {
      await provider.removeUser(op.vpnEmail, { signal });
      return;
    }
    // "Already present" does not say with which UUID (a reissue, a lost revoke): replace it to be sure.
    if ((await provider.addUser(user, { signal })) === 'already_present') {
      await provider.removeUser(op.vpnEmail, { signal });
      await provider.addUser(user, { signal });
    }
  }
}

function emptyTotals(): OutboxTotals {
  return { done: 0, retried: 0, failed: 0, deferredByCircuit: 0 };
}

export function backoffMs(attempts: number): number {
  return retryDelayMs(attempts, { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS });
}
