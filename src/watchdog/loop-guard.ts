import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../config/app-config';

const BEAT_MS = 100;

/** In-loop timers cannot see a blocked loop; a worker thread can (docs/operations.md, class E). */
@Injectable()
export class LoopGuard implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LoopGuard');
  private readonly shared = new BigInt64Array(new SharedArrayBuffer(3 * 8));
  private worker?: Worker;
  private beat?: NodeJS.Timeout;
  private reported = 0n;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const w = this.config.watchdog;
    Atomics.store(this.shared, 0, BigInt(Date.now()));
    this.beat = setInterval(() => {
      Atomics.store(this.shared, 0, BigInt(Date.now()));
      const stall = Atomics.load(this.shared, 1);
      if (stall > this.reported) {
        this.reported = stall;
        this.logger.error(`event loop was blocked for ${stall} ms (class E, seen by the out-of-loop guard)`);
      }
    }, BEAT_MS).unref();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true, // inlined so the same file works from dist/ and under the test runner
      workerData: {
        shared: this.shared,
        stallMs: w.loopStallMs,
        graceMs: w.graceMs,
        kill: w.action !== 'report',
        pid: process.pid,
      },
    });
    this.worker.unref();
    this.worker.on('error', (err) => this.logger.error(`loop guard worker failed: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.beat);
    await this.worker?.terminate();
  }

  longestStallMs(): number {
    return Number(Atomics.load(this.shared, 1));
  }

  currentStallMs(): number {
    return Number(Atomics.load(this.shared, 2));
  }
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { shared, stallMs, graceMs, kill, pid } = workerData;
const started = Date.now();
let acted = false;
setInterval(() => {
  const now = Date.now();
  const stall = now - Number(Atomics.load(shared, 0));
  Atomics.store(shared, 2, BigInt(stall > ${BEAT_MS * 3} ? stall : 0));
  if (stall > Number(Atomics.load(shared, 1)) && stall > ${BEAT_MS * 3}) Atomics.store(shared, 1, BigInt(stall));
  if (stall < stallMs) { acted = false; return; }
  if (acted || now - started < graceMs) return;
  acted = true;
  const line = JSON.stringify({ level: 60, time: new Date(now).toISOString(), context: 'LoopGuard',
    freezeClass: 'E', stalledMs: stall, action: kill ? 'kill' : 'report',
    msg: 'event loop blocked for ' + stall + ' ms' + (kill ? ': killing the process so the orchestrator restarts it' : '') }) + '\\n';
  // Asynchronous write: a blocked stderr must not stop the kill below.
  fs.write(2, line, () => {});
  if (kill) setTimeout(() => process.kill(pid, 'SIGKILL'), 200);
}, ${BEAT_MS});
`;
