import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from '../jobs/backoff';
import type { JobContext, JobResult } from '../jobs/job.types';
import { mapLimit } from './map-limit';
import { isCircuitOpenError, VpnCircuit } from './vpn-circuit';
import { VpnOperationsRepository, type ClaimedOperation, type Outcome } from './vpn-operations.repository';
import { VpnProvider } from './vpn-provider';
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

/**
 * Delivers vpn_operations to the core: claim a batch in one short transaction, call the provider with no
 * connection held, write the results in another short transaction. Retries with exponential backoff,
 * stops calling while the circuit is open, and turns permanent failures into visible `failed` rows.
 */
@Injectable()
export class ProvisioningOutboxService {
  private readonly logger = new Logger('ProvisioningOutboxService');
  /** Since start, for metrics. */
  readonly totals: OutboxTotals = { done: 0, retried: 0, failed: 0, deferredByCircuit: 0 };

  constructor(
    private readonly config: AppConfig,
    private readonly repo: VpnOperationsRepository,
    private readonly provider: VpnProvider,
    private readonly circuit: VpnCircuit,
  ) {}

  /** Drains due operations batch by batch until none is due, the circuit opens or the deadline passes. */
  async runOnce(ctx: Pick<JobContext, 'signal'> & Partial<JobContext>): Promise<JobResult> {
    const { batch } = this.config.vpn.outbox;
    const lockMs = Math.max(60_000, this.config.vpn.timeoutMs * 4);
    let processed = 0;
    let failed = 0;
    // Every in-flight call listens on the job's signal (circuit breaker + gRPC cancel).
    setMaxListeners(CONCURRENCY * 4, ctx.signal);
    while (!ctx.signal.aborted && !this.circuit.isOpen) {
      const ops = await this.repo.claimDue({ batch, lockMs });
      if (!ops.length) break;
      const results = await mapLimit(ops, CONCURRENCY, (op) => this.execute(op, ctx.signal));
      const done = ops.filter((_, i) => results[i].type === 'done');
      const retry = results.filter((r) => r.type === 'retry').map((r) => r.outcome!);
      const deferred = results.filter((r) => r.type === 'deferred').map((r) => r.outcome!);
      const dead = results.filter((r) => r.type === 'failed').map((r) => r.outcome!);
      await this.repo.complete(done);
      await this.repo.reschedule(retry, { countAttempt: true });
      await this.repo.reschedule(deferred, { countAttempt: false });
      await this.repo.fail(dead);
      for (const d of dead)
        this.logger.error(
          `vpn operation ${d.op.id} (${d.op.kind} ${d.op.vpnEmail}, subscription ${d.op.subscriptionId}) ` +
            `failed permanently after ${d.op.attempts} attempt(s): ${d.error}`,
        );
      this.totals.done += done.length;
      this.totals.retried += retry.length;
      this.totals.failed += dead.length;
      this.totals.deferredByCircuit += deferred.length;
      processed += done.length;
      failed += retry.length + dead.length;
      // No early exit on a short batch: the next operation of a subscription becomes claimable only now.
      ctx.progress?.({ processed: done.length, failed: retry.length + dead.length });
    }
    return { processed, failed };
  }

  private async execute(
    op: ClaimedOperation,
    signal: AbortSignal,
  ): Promise<{ type: 'done' | 'retry' | 'deferred' | 'failed'; outcome?: Outcome }> {
    try {
      await this.circuit.execute((s) => this.apply(op, s), signal);
      return { type: 'done' };
    } catch (err) {
      if (isCircuitOpenError(err) || signal.aborted)
        return {
          type: 'deferred',
          outcome: { op, error: 'circuit open: core unavailable', delayMs: this.circuit.halfOpenAfterMs },
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

  private async apply(op: ClaimedOperation, signal: AbortSignal): Promise<void> {
    const user = { email: op.vpnEmail, uuid: op.vpnUuid };
    if (op.kind === 'revoke') {
      await this.provider.removeUser(op.vpnEmail, { signal });
      return;
    }
    // "Already present" does not say with which UUID (a reissue, a lost revoke): replace it to be sure.
    if ((await this.provider.addUser(user, { signal })) === 'already_present') {
      await this.provider.removeUser(op.vpnEmail, { signal });
      await this.provider.addUser(user, { signal });
    }
  }
}

/** 2 s, 4 s, 8 s … capped at 10 min, jittered. */
export function backoffMs(attempts: number): number {
  return retryDelayMs(attempts, { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS });
}
