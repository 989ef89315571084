import { Injectable } from '@nestjs/common';

export interface Signal {
  at: number;
  /** performance.now(): ages are immune to wall-clock jumps. */
  mono: number;
  count: number;
  detail?: Record<string, unknown>;
}

@Injectable()
export class SignalsService {
  private readonly signals = new Map<string, Signal>();
  private readonly listeners: ((name: string, detail?: Record<string, unknown>) => void)[] = [];

  /** A listener must be cheap and must not throw. */
  onRecord(listener: (name: string, detail?: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  record(name: string, detail?: Record<string, unknown>): void {
    const prev = this.signals.get(name);
    this.signals.set(name, {
      at: Date.now(),
      mono: performance.now(),
      count: (prev?.count ?? 0) + 1,
      detail,
    });
    for (const l of this.listeners) l(name, detail);
  }

  get(name: string): Signal | undefined {
    return this.signals.get(name);
  }

  ageMs(name: string): number | undefined {
    const s = this.signals.get(name);
    return s === undefined ? undefined : performance.now() - s.mono;
  }

  snapshot(prefix = ''): Record<string, { at: string; ageMs: number; count: number }> {
    const now = performance.now();
    const out: Record<string, { at: string; ageMs: number; count: number }> = {};
    for (const [name, s] of this.signals) {
      if (!name.startsWith(prefix)) continue;
      out[name] = { at: new Date(s.at).toISOString(), ageMs: Math.round(now - s.mono), count: s.count };
    }
    return out;
  }
}
