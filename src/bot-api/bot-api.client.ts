import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

import { TelegramApiError, TelegramNetworkError } from './bot-api.errors';

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Not telegraf's client: it has no per-call deadline (node-fetch, 500 s) and hides the HTTP status. */
@Injectable()
export class BotApiClient {
  private readonly base: string;
  private readonly defaultTimeoutMs: number;
  private readonly diagnostics: boolean;
  private readonly logger = new Logger('BotApiClient');
  private seq = 0;

  constructor(config: AppConfig) {
    const t = config.telegram;
    this.base = `${t.apiRoot}/bot${t.botToken}`;
    this.defaultTimeoutMs = t.apiTimeoutMs;
    this.diagnostics = config.watchdog.diagnostics;
  }

  async call<T>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<T> {
    if (!this.diagnostics) return this.request<T>(method, params, opts);
    const id = ++this.seq;
    const offset = method === 'getUpdates' ? ` offset=${String(params.offset)}` : '';
    const t0 = performance.now();
    this.logger.log(`request_start id=${id} method=${method}${offset}`);
    try {
      const result = await this.request<T>(method, params, opts);
      this.logger.log(
        `request_end id=${id} method=${method}${offset} ms=${Math.round(performance.now() - t0)} ok=true`,
      );
      return result;
    } catch (err) {
      this.logger.log(
        `request_end id=${id} method=${method}${offset} ms=${Math.round(performance.now() - t0)} ok=false error=${(err as Error).message}`,
      );
      throw err;
    }
  }

  private async request<T>(method: string, params: Record<string, unknown>, opts: CallOptions): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}/${method}`, { method: 'POST', ...encode(params), signal });
      text = await res.text();
    } catch (err) {
      if (deadline.aborted) throw new TelegramNetworkError(method, `no answer within ${timeoutMs} ms`, true);
      if (opts.signal?.aborted)
        throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new TelegramNetworkError(method, cause?.code ?? cause?.message ?? (err as Error).message);
    }
    let body: {
      ok?: boolean;
      result?: T;
      error_code?: number;
      description?: string;
      parameters?: { retry_after?: number };
    };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TelegramNetworkError(method, `malformed response (HTTP ${res.status}): ${text.slice(0, 80)}`);
    }
    if (body.ok === true) return body.result as T;
    throw new TelegramApiError(
      method,
      body.error_code ?? res.status,
      body.description ?? `HTTP ${res.status}`,
      body.parameters?.retry_after,
    );
  }
}

function encode(params: Record<string, unknown>): {
  body: string | FormData;
  headers?: Record<string, string>;
} {
  const hasFile = Object.values(params).some((v) => Buffer.isBuffer(v));
  if (!hasFile) return { body: JSON.stringify(params), headers: { 'content-type': 'application/json' } };
  const form = new FormData();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Buffer.isBuffer(v)) form.append(k, new Blob([new Uint8Array(v)]), `${k}.png`);
    else form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return { body: form };
}
