import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const GUARD = resolve(__dirname, '../../dist/src/watchdog/loop-guard.js');
const STALL_MS = 800;

/**
 * A node process with the real out-of-loop guard (built), whose main thread then blocks synchronously for
 * `blockMs`. Returns how it ended, everything it wrote, and the time from the block starting to its exit.
 */
function blockedProcess(action: 'exit' | 'report', blockMs: number) {
  const script = `
    const fs = require('node:fs');
    const { LoopGuard } = require(${JSON.stringify(GUARD)});
    const guard = new LoopGuard({ watchdog: { action: ${JSON.stringify(action)}, loopStallMs: ${STALL_MS}, graceMs: 0 } });
    guard.onModuleInit();
    setTimeout(() => {
      fs.writeSync(1, 'blocking now\\n');
      const end = Date.now() + ${blockMs};
      while (Date.now() < end) {} // a synchronous loop: no timer, no I/O, no probe can run
      fs.writeSync(1, 'loop free again\\n');
      setTimeout(() => { void guard.onApplicationShutdown().then(() => process.exit(0)); }, 300);
    }, 500);
  `;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let blockedAt = 0;
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!blockedAt && out.includes('blocking now')) blockedAt = performance.now();
  });
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    afterBlockMs: number;
  }>((done) =>
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, out, afterBlockMs: performance.now() - blockedAt });
    }),
  );
}

function guardLine(out: string): Record<string, unknown> | undefined {
  const line = out.split('\n').find((l) => l.includes('"context":"LoopGuard"'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

describe('chaos E: the main loop blocked synchronously past the threshold', () => {
  it('is killed by the worker-thread guard under WATCHDOG_ACTION=exit, which logs from its own thread', async () => {
    const r = await blockedProcess('exit', 20_000);
    console.info(`chaos E (exit): killed ${Math.round(r.afterBlockMs)} ms after the block began`);
    expect(r.signal).toBe('SIGKILL');
    expect(r.out).toContain('blocking now');
    expect(r.out).not.toContain('loop free again');
    expect(guardLine(r.out)).toMatchObject({ level: 60, freezeClass: 'E', action: 'kill' });
    // Threshold + the guard's 100 ms sampling + its 200 ms kill delay; generous for a loaded machine.
    expect(r.afterBlockMs).toBeGreaterThanOrEqual(STALL_MS);
    expect(r.afterBlockMs).toBeLessThan(STALL_MS + 5_000);
  });

  it('only reports under WATCHDOG_ACTION=report: the process survives the block', async () => {
    const r = await blockedProcess('report', 2_500);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.out).toContain('loop free again');
    const line = guardLine(r.out);
    expect(line).toMatchObject({ freezeClass: 'E', action: 'report' });
    expect(Number(line?.stalledMs)).toBeGreaterThanOrEqual(STALL_MS);
    // The main thread reports it too once it turns again (the watchdog's class E evidence).
    expect(r.out).toMatch(/event loop was blocked for \d+ ms \(class E, seen by the out-of-loop guard\)/);
  });
});
