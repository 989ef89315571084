/** Freeze classes A–E (docs/operations.md, "The watchdog"), decided from progress evidence only. */
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
  loop: { maxMs: number; p99Ms: number; guardStallMs: number };
  polling?: {
    state: string;
    inFlightMs?: number;
    longPollMs: number;
    deadlineMs: number;
    conflictForMs?: number;
    offset: number;
    received: number;
  };
  dispatcher: {
    backlog: number;
    inFlight: number;
    completed: number;
    overdueLanes: number;
    oldest?: { updateId: number; chatId: number | null; ms: number };
  };
  pool: { waiting: number; busy: number; max: number; holders: string[] };
}

export interface Thresholds {
  loopStallMs: number;
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

export class SymptomClock {
  private readonly since = new Map<string, number>();
  private last?: { completed: number; offset: number; received: number };
  private progressAt = 0;
  private offsetMovedAt = 0;

  lasting(name: string, active: boolean, now: number): number {
    if (!active) {
      this.since.delete(name);
      return 0;
    }
    if (!this.since.has(name)) this.since.set(name, now);
    return now - this.since.get(name)!;
  }

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
  // Telegram answers within its long-poll timeout; a getUpdates open past that is a half-open connection.
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
  // The dispatcher abandons a handler at TELEGRAM_HANDLER_TIMEOUT_MS: this fires only when that failed.
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
