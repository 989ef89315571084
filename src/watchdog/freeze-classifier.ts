/**
 * The audits' freeze classes (seeds/ root-cause table), decided from progress evidence only:
 * A long-poll hang, B dispatcher stall, C pool starvation, D offset/conflict fault, E event-loop starvation.
 * Pure: the watchdog gathers evidence each tick and keeps the little state the rules need.
 */
export type FreezeClass = 'healthy' | 'A' | 'B' | 'C' | 'D' | 'E';

export const freezeClassNames: Record<FreezeClass, string> = {
  healthy: 'healthy',
  A: 'long-poll hang',
  B: 'dispatcher stall',
  C: 'pool starvation',
  D: 'offset or conflict fault',
  E: 'event-loop starvation',
};

export interface Evidence {
  /** Event loop: worst delay in the current window, and how long the out-of-loop guard saw it stopped. */
  loop: { maxMs: number; p99Ms: number; guardStallMs: number };
  /** Polling transport, when it is the active transport. */
  polling?: {
    state: string;
    /** How long the current getUpdates has been in flight (ms), if one is. */
    inFlightMs?: number;
    /** The long-poll timeout sent to Telegram (TELEGRAM_POLL_TIMEOUT_S): Telegram answers within it. */
    longPollMs: number;
    /** Our HTTP deadline for one getUpdates (long-poll timeout + margin): the transport's own backstop. */
    deadlineMs: number;
    conflictForMs?: number;
    /** Offset now and updates received in total (they must move together). */
    offset: number;
    received: number;
  };
  /**
   * Dispatcher: updates waiting in the inbox, in flight, finished in total, lanes past their deadline, and the
   * longest-running handler (its chat lane and age), if any is running.
   */
  dispatcher: {
    backlog: number;
    inFlight: number;
    completed: number;
    overdueLanes: number;
    oldest?: { updateId: number; chatId: number | null; ms: number };
  };
  /** Pool: waiters and whether every connection is busy, with the holders. */
  pool: { waiting: number; busy: number; max: number; holders: string[] };
}

export interface Thresholds {
  loopStallMs: number;
  /** Allowance over the long-poll timeout for the network; below the HTTP margin so A is seen before the backstop. */
  pollGraceMs: number;
  stallMs: number;
  starvationMs: number;
  conflictMs: number;
}

export interface Verdict {
  class: FreezeClass;
  reason: string;
  evidence: Record<string, unknown>;
}

/** Remembers since when each symptom has lasted, across ticks. */
export class SymptomClock {
  private readonly since = new Map<string, number>();
  private last?: { completed: number; offset: number; received: number };
  private progressAt = 0;
  private offsetMovedAt = 0;

  /** Milliseconds `name` has been true, 0 when false (and then it resets). */
  lasting(name: string, active: boolean, now: number): number {
    if (!active) {
      this.since.delete(name);
      return 0;
    }
    if (!this.since.has(name)) this.since.set(name, now);
    return now - this.since.get(name)!;
  }

  /** Feeds counters; returns ms since the dispatcher last completed an update and since the offset last moved. */
  progress(e: Evidence, now: number): { sinceCompletedMs: number; offsetStuckMs: number } {
    const cur = {
      completed: e.dispatcher.completed,
      offset: e.polling?.offset ?? 0,
      received: e.polling?.received ?? 0,
    };
    if (!this.last || cur.completed !== this.last.completed) this.progressAt = now;
    const receivedMore = this.last !== undefined && cur.received > this.last.received;
    if (!this.last || cur.offset !== this.last.offset || !receivedMore) this.offsetMovedAt = now;
    this.last = cur;
    return {
      sinceCompletedMs: Math.round(now - this.progressAt),
      offsetStuckMs: Math.round(now - this.offsetMovedAt),
    };
  }
}

export function classify(e: Evidence, t: Thresholds, clock: SymptomClock, now: number): Verdict {
  const { sinceCompletedMs, offsetStuckMs } = clock.progress(e, now);

  const loopStalled = Math.max(e.loop.guardStallMs, e.loop.maxMs);
  if (loopStalled >= t.loopStallMs) {
    return verdict('E', `event loop blocked for ${Math.round(loopStalled)} ms`, { ...e.loop });
  }

  const starving = e.pool.waiting > 0 && e.pool.busy >= e.pool.max;
  const starvedMs = clock.lasting('C', starving, now);
  if (starvedMs >= t.starvationMs) {
    return verdict(
      'C',
      `${e.pool.waiting} waiting for a connection for ${Math.round(starvedMs)} ms with all ${e.pool.max} busy`,
      {
        ...e.pool,
      },
    );
  }

  const p = e.polling;
  // Telegram answers a getUpdates within its long-poll timeout; one still open past that (plus a network
  // allowance) is a half-open connection or a blackhole: the audits' class A.
  if (p?.inFlightMs !== undefined && p.inFlightMs > p.longPollMs + t.pollGraceMs) {
    return verdict(
      'A',
      `getUpdates in flight for ${Math.round(p.inFlightMs)} ms; Telegram answers within ${p.longPollMs} ms`,
      {
        inFlightMs: Math.round(p.inFlightMs),
        longPollMs: p.longPollMs,
        graceMs: t.pollGraceMs,
        deadlineMs: p.deadlineMs,
      },
    );
  }

  const d = e.dispatcher;
  if (d.backlog > 0 && sinceCompletedMs >= t.stallMs) {
    return verdict('B', `${d.backlog} updates waiting, none completed for ${sinceCompletedMs} ms`, {
      ...d,
      sinceCompletedMs,
    });
  }
  // One lane wedged while others flow: a handler running past the stall threshold blocks its chat (updates of
  // a chat run in order). The dispatcher abandons a handler shortly after its own deadline, so with sane
  // settings (TELEGRAM_HANDLER_TIMEOUT_MS < WATCHDOG_STALL_MS) this fires only when that defence failed.
  if (d.oldest && d.oldest.ms >= t.stallMs) {
    return verdict(
      'B',
      `chat ${d.oldest.chatId ?? '-'} stuck: update ${d.oldest.updateId} has been in its handler for ${d.oldest.ms} ms`,
      { ...d, lane: d.oldest.chatId },
    );
  }

  if (p && ((p.conflictForMs ?? 0) >= t.conflictMs || offsetStuckMs >= t.stallMs)) {
    return verdict(
      'D',
      (p.conflictForMs ?? 0) >= t.conflictMs
        ? `getUpdates in conflict (409) for ${p.conflictForMs} ms: another consumer or a webhook`
        : `updates keep arriving but the offset has not moved for ${offsetStuckMs} ms`,
      { conflictForMs: p.conflictForMs, offset: p.offset, offsetStuckMs },
    );
  }
  return verdict('healthy', 'making progress', {});
}

function verdict(c: FreezeClass, reason: string, evidence: Record<string, unknown>): Verdict {
  return { class: c, reason, evidence };
}
