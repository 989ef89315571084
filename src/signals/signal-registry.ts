import { Injectable } from '@nestjs/common';
import type { JobOutcome } from '../jobs/job.types';

export type PollingState = 'idle' | 'standby' | 'polling' | 'backoff' | 'unauthorized' | 'stopped';

export interface PollingStatus {
  state: PollingState;
  offset: number;
  /** performance.now() when the current getUpdates was sent; undefined when none is in flight. */
  inFlightSinceMs?: number;
  /** The HTTP deadline of one getUpdates: long-poll timeout plus margin. */
  deadlineMs: number;
  consecutiveErrors: number;
  lastError?: string;
  conflictForMs?: number;
}

export interface DispatcherStatus {
  running: boolean;
  inFlight: number;
  concurrency: number;
  processed: number;
  failed: number;
  /** Every finished attempt, including failures that will be retried: the dispatcher's own progress. */
  attempts: number;
  /** Updates whose handler passed its deadline and has not returned yet. */
  overdue: { updateId: number; chatId: number | null; ms: number }[];
  /** The longest-running handler now, if any. */
  oldest?: { updateId: number; chatId: number | null; ms: number };
  /** Bumped by each restart(); the claim loop of an older generation exits. */
  generation: number;
  /** Milliseconds left of a pause() (load shedding), 0 when claiming normally. */
  pausedForMs: number;
}

export interface InboxCounts {
  pending: number;
  /** Pending and due now (not waiting for a retry backoff): what the dispatcher could claim at once. */
  due: number;
  processing: number;
  failed: number;
  oldestPendingAgeS: number | null;
}

/** A Telegram poll loop: its state, and the recovery for a getUpdates hung past its deadline. */
export interface PollingPart {
  status(): PollingStatus;
  /** Aborts the getUpdates in flight; false when none is. */
  abortInFlight(reason: string): boolean;
}

/** The inbox dispatcher: its state, and the recoveries for a stall (restart) and a starved pool (pause). */
export interface DispatcherPart {
  status(): DispatcherStatus;
  restart(reason: string, stuckAfterMs: number): { abandoned: number[] };
  pause(ms: number, reason: string): void;
}

/** The inbox backlog (a database count: callers bound it with a deadline). */
export interface InboxPart {
  counts(): Promise<InboxCounts>;
}

export interface VpnCoreStatus {
  circuitOpen: boolean;
  lastProbe?: JobOutcome;
  /** ISO time the last probe finished. */
  lastProbeAt?: string;
  lastProbeError?: string;
  /** Milliseconds since the core last answered a probe; undefined when it never did. */
  lastHealthyAgeMs?: number;
}

/** One VPN core: read-only (the outbox and the circuit recover on their own). */
export interface VpnCorePart {
  /** Undefined while the core's probe is not set up (no job registered). */
  status(): VpnCoreStatus | undefined;
}

/** Parts of which there is one per application. */
export interface SignalParts {
  'telegram.polling': PollingPart;
  'telegram.dispatcher': DispatcherPart;
  'telegram.inbox': InboxPart;
}

/** Parts of which there may be several, each registered as `<prefix><name>` (a second VPN node, say). */
export interface SignalPartLists {
  'vpn.core:': VpnCorePart;
}

/**
 * What the parts of the application expose to the watchdog and the probes: a status to read and, where
 * recovery is possible, an action. Parts register themselves at start; readers look an entry up each time
 * (never cache it) so that start order does not matter, and treat a missing one as a part not started
 * (tests that start only some modules).
 */
@Injectable()
export class SignalRegistry {
  private readonly parts = new Map<string, unknown>();

  register<K extends keyof SignalParts>(key: K, part: SignalParts[K]): void {
    this.parts.set(key, part);
  }

  get<K extends keyof SignalParts>(key: K): SignalParts[K] | undefined {
    return this.parts.get(key) as SignalParts[K] | undefined;
  }

  add<P extends keyof SignalPartLists>(prefix: P, name: string, part: SignalPartLists[P]): void {
    this.parts.set(`${prefix}${name}`, part);
  }

  /** Every part registered under `prefix`, by name, in registration order. */
  list<P extends keyof SignalPartLists>(prefix: P): { name: string; part: SignalPartLists[P] }[] {
    const out: { name: string; part: SignalPartLists[P] }[] = [];
    for (const [key, part] of this.parts)
      if (key.startsWith(prefix))
        out.push({ name: key.slice(prefix.length), part: part as SignalPartLists[P] });
    return out;
  }
}
