import type { ServerResponse } from 'node:http';
import { reply } from './fake-telegram-http';

export type Fault =
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | {
      kind: 'status';
      code: 400 | 401 | 403 | 409 | 429 | 500 | 502;
      retryAfter?: number;
      description?: string;
    };

export type StatusFault = Extract<Fault, { kind: 'status' }>;

export class FaultPlan {
  private readonly queued = new Map<string, Fault[]>();
  private flood?: { until: number; methods: Set<string> };

  add(method: string, fault: Fault, times: number): void {
    const list = this.queued.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.queued.set(method, list);
  }

  clear(): void {
    this.queued.clear();
    this.flood = undefined;
  }

  storm(methods: string[] | '*', durationMs: number): void {
    this.flood = { until: Date.now() + durationMs, methods: new Set(methods === '*' ? ['*'] : methods) };
  }

  get floodUntil(): number | undefined {
    return this.flood?.until;
  }

  /** A storm's 429 comes first; queued faults wait for it to end. */
  next(method: string): Fault | undefined {
    if (this.flood && (this.flood.methods.has('*') || this.flood.methods.has(method))) {
      const leftMs = this.flood.until - Date.now();
      if (leftMs > 0) return { kind: 'status', code: 429, retryAfter: Math.max(1, Math.ceil(leftMs / 1000)) };
      this.flood = undefined;
    }
    for (const key of [method, '*']) {
      const list = this.queued.get(key);
      if (list?.length) return list.shift();
    }
    return undefined;
  }
}

export function answerFault(res: ServerResponse, f: StatusFault): void {
  const descriptions: Record<number, string> = {
    400: 'Bad Request: message text is empty',
    401: 'Unauthorized',
    403: 'Forbidden: bot was blocked by the user',
    409: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    429: `Too Many Requests: retry after ${f.retryAfter ?? 1}`,
    500: 'Internal Server Error',
    502: 'Bad Gateway',
  };
  reply(res, f.code, {
    ok: false,
    error_code: f.code,
    description: f.description ?? descriptions[f.code],
    ...(f.code === 429 ? { parameters: { retry_after: f.retryAfter ?? 1 } } : {}),
  });
}
