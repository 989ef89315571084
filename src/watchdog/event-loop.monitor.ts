import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export type LoopLag = {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  windowMs: number;
};

const WINDOW_MS = 10_000;
const RESOLUTION_MS = 10;

/** Measures after the fact: a loop blocked right now is seen by the out-of-loop guard, not here. */
@Injectable()
export class EventLoopMonitor implements OnModuleInit, OnModuleDestroy {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private last: LoopLag = { p50Ms: 0, p99Ms: 0, maxMs: 0, windowMs: 0 };
  private windowStart = performance.now();

  onModuleInit(): void {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.roll(), WINDOW_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.histogram?.disable();
  }

  lag(): LoopLag {
    const current = this.read();
    return current.maxMs > this.last.maxMs ? current : this.last;
  }

  private roll(): void {
    this.last = this.read();
    this.histogram?.reset();
    this.windowStart = performance.now();
  }

  private read(): LoopLag {
    const h = this.histogram;
    if (!h || h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, windowMs: 0 };
    // The histogram counts the sampling timer's own period; subtract it so an idle loop reads ~0.
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    return {
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      windowMs: Math.round(performance.now() - this.windowStart),
    };
  }
}
