import type { ServerResponse } from 'node:http';
import { ok, reply } from './fake-telegram-http';

type Update = Record<string, unknown>;

interface Waiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export class FakeLongPoll {
  pending: Update[] = [];
  confirmedOffset = 0;
  private waiter?: Waiter;

  getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeout = Math.min(50, Number(params.timeout ?? 0));
    if (offset > 0) {
      this.pending = this.pending.filter((u) => (u.update_id as number) >= offset);
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
    }
    if (this.waiter)
      this.endWaiter(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
    const ready = this.pending.slice(0, limit);
    if (ready.length > 0 || timeout === 0) return ok(res, ready);
    const timer = setTimeout(() => {
      if (this.waiter?.res === res) this.waiter = undefined;
      ok(res, []);
    }, timeout * 1000);
    this.waiter = { offset, limit, res, timer };
    res.on('close', () => {
      if (this.waiter?.res === res) {
        clearTimeout(timer);
        this.waiter = undefined;
      }
    });
  }

  wake(): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    ok(w.res, this.pending.slice(0, w.limit));
  }

  endWaiter(code: number, description: string): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    reply(w.res, code, { ok: false, error_code: code, description });
  }

  stop(): void {
    if (this.waiter) clearTimeout(this.waiter.timer);
  }
}
