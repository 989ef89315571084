import { Injectable } from '@nestjs/common';
import type { JobOutcome } from '../jobs/job.types';

export type PollingState = 'idle' | 'standby' | 'polling' | 'backoff' | 'unauthorized' | 'stopped';

export interface PollingStatus {
  state: PollingState;
  offset: number;
  inFlightSinceMs?: number;
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
  attempts: number;
  overdue: { updateId: number; chatId: number | null; ms: number }[];
  oldest?: { updateId: number; chatId: number | null; ms: number };
  generation: number;
  pausedForMs: number;
}

export interface InboxCounts {
  pending: number;
  due: number;
  processing: number;
  failed: number;
  oldestPendingAgeS: number | null;
}

export interface PollingPart {
  status(): PollingStatus;
  abortInFlight(reason: string): boolean;
}

export interface DispatcherPart {
  status(): DispatcherStatus;
  restart(reason: string, stuckAfterMs: number): { abandoned: number[] };
  pause(ms: number, reason: string): void;
}

export interface InboxPart {
  counts(): Promise<InboxCounts>;
}

export interface VpnCoreStatus {
  circuitOpen: boolean;
  lastProbe?: JobOutcome;
  lastProbeAt?: string;
  lastProbeError?: string;
  lastHealthyAgeMs?: number;
  /** The node's row figures as of the last health job (undefined before its first run). */
  figures?: { state: string; users: number; capacity: number | null; backlog: number; failed: number };
  outbox?: { done: number; retried: number; failed: number; deferredByCircuit: number };
}

export interface VpnCorePart {
  status(): VpnCoreStatus | undefined;
}

/** REQUIRED_CHANNEL: whether the bot can check members of the channel the trial is gated on. */
export interface ChannelGateStatus {
  channel: string;
  state: 'ok' | 'not_admin' | 'unreachable' | 'checking';
  error?: string;
  checkedAt?: string;
}

export interface ChannelGatePart {
  status(): ChannelGateStatus;
}

export interface SignalParts {
  'telegram.channel': ChannelGatePart;
  'telegram.polling': PollingPart;
  'telegram.dispatcher': DispatcherPart;
  'telegram.inbox': InboxPart;
}

export interface SignalPartLists {
  'vpn.core:': VpnCorePart;
}

/** Readers look a part up on every use (start order does not matter); a missing part is one not started. */
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

  list<P extends keyof SignalPartLists>(prefix: P): { name: string; part: SignalPartLists[P] }[] {
    const out: { name: string; part: SignalPartLists[P] }[] = [];
    for (const [key, part] of this.parts)
      if (key.startsWith(prefix))
        out.push({ name: key.slice(prefix.length), part: part as SignalPartLists[P] });
    return out;
  }
}
