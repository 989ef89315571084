import { describe, expect, it } from 'vitest';
import { classify, SymptomClock, type Evidence, type Thresholds } from './freeze-classifier';

const t: Thresholds = {
  loopStallMs: 1_000,
  pollGraceMs: 2_000,
  stallMs: 30_000,
  starvationMs: 5_000,
  conflictMs: 60_000,
};

function evidence(over: Partial<{ [K in keyof Evidence]: Partial<Evidence[K]> }> = {}): Evidence {
  return {
    loop: { maxMs: 5, p99Ms: 2, guardStallMs: 0, ...over.loop },
    polling: {
      state: 'polling',
      longPollMs: 25_000,
      deadlineMs: 35_000,
      offset: 10,
      received: 3,
      ...over.polling,
    },
    dispatcher: { backlog: 0, inFlight: 0, completed: 100, overdueLanes: 0, ...over.dispatcher },
    pool: { waiting: 0, busy: 1, max: 10, holders: [], ...over.pool },
  };
}

function run(ev: (i: number) => Evidence, ms: number) {
  const clock = new SymptomClock();
  let v = classify(ev(0), t, clock, 0);
  for (let now = 1_000, i = 1; now <= ms; now += 1_000, i++) v = classify(ev(i), t, clock, now);
  return v;
}

describe('freeze classifier', () => {
  it('calls a process that keeps completing work healthy, even with a backlog', () => {
    expect(run((i) => evidence({ dispatcher: { backlog: 50, completed: 100 + i } }), 60_000).class).toBe(
      'healthy',
    );
  });

  it('reports A when a getUpdates stays open past the long-poll timeout plus the network allowance', () => {
    const v = run(() => evidence({ polling: { inFlightMs: 28_000 } }), 0);
    expect(v.class).toBe('A');
    expect(v.reason).toBe('getUpdates in flight for 28000 ms; Telegram answers within 25000 ms');
    expect(v.evidence).toMatchObject({ longPollMs: 25_000, graceMs: 2_000, deadlineMs: 35_000 });
    // Within the allowance, and before our own HTTP deadline would cut it: an ordinary long poll.
    expect(run(() => evidence({ polling: { inFlightMs: 26_500 } }), 0).class).toBe('healthy');
  });

  it('reports B when updates wait and none completes for the stall threshold', () => {
    const ev = () => evidence({ dispatcher: { backlog: 7, completed: 100 } });
    expect(run(ev, 29_000).class).toBe('healthy');
    const v = run(ev, 31_000);
    expect(v.class).toBe('B');
    expect(v.evidence).toMatchObject({ backlog: 7 });
  });

  it('reports B for one stuck lane while other chats keep completing', () => {
    const ev = (ms: number) => (i: number) =>
      evidence({
        dispatcher: { backlog: 3, completed: 100 + i, inFlight: 2, oldest: { updateId: 7, chatId: 42, ms } },
      });
    expect(run(ev(29_000), 10_000).class).toBe('healthy');
    const v = run(ev(31_000), 10_000);
    expect(v.class).toBe('B');
    expect(v.reason).toBe('chat 42 stuck: update 7 has been in its handler for 31000 ms');
    expect(v.evidence).toMatchObject({ lane: 42 });
  });

  it('reports C, naming the holders, when waiters persist with every connection busy', () => {
    const ev = () =>
      evidence({ pool: { waiting: 3, busy: 10, max: 10, holders: ['job.expiry-sweep/batch'] } });
    expect(run(ev, 4_000).class).toBe('healthy');
    const v = run(ev, 6_000);
    expect(v.class).toBe('C');
    expect(v.evidence).toMatchObject({ holders: ['job.expiry-sweep/batch'] });
  });

  it('prefers C over B: a starved pool explains a stalled dispatcher', () => {
    const ev = () =>
      evidence({ pool: { waiting: 2, busy: 10, max: 10 }, dispatcher: { backlog: 9, completed: 100 } });
    expect(run(ev, 40_000).class).toBe('C');
  });

  it('reports D on a persistent 409 and when updates arrive but the offset does not move', () => {
    expect(run(() => evidence({ polling: { conflictForMs: 61_000 } }), 0).class).toBe('D');
    const stuck = run((i) => evidence({ polling: { offset: 10, received: 3 + i } }), 31_000);
    expect(stuck.class).toBe('D');
    expect(stuck.reason).toMatch(/offset has not moved/);
  });

  it('reports E first when the event loop was blocked, whatever else is true', () => {
    const v = run(
      () => evidence({ loop: { guardStallMs: 4_000 }, pool: { waiting: 5, busy: 10, max: 10 } }),
      10_000,
    );
    expect(v.class).toBe('E');
  });

  it('forgets a symptom that went away', () => {
    const v = run((i) => evidence({ pool: i < 4 ? { waiting: 1, busy: 10, max: 10 } : {} }), 10_000);
    expect(v.class).toBe('healthy');
  });
});
