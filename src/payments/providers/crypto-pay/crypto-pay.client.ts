import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { minorToDecimalString } from './crypto-pay-amount';
import { CryptoPayApiError, CryptoPayUnavailableError } from './crypto-pay.errors';
import type { CryptoPayApp, CryptoPayInvoice } from './crypto-pay.types';

export interface CryptoPayClientOptions {
  apiRoot: string;
  token: string;
  timeoutMs: number;
  retries?: number;
  backoffMs?: number;
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
}

export interface CreateInvoiceInput {
  amountMinor: number;
  fiat: string;
  acceptedAssets: readonly string[];
  payload: string;
  description: string;
  expiresInS: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Crypto Pay caps `count` at 1000, so a watcher asks for its ids in batches of at most this many. */
export const GET_INVOICES_MAX_IDS = 1000;
const FIND_BY_PAYLOAD_MAX = 5_000;

/** A thin client: a deadline per attempt, retries with backoff, and a circuit breaker. */
export class CryptoPayClient {
  private readonly policy: IPolicy;
  private readonly once: IPolicy;
  private readonly apiRoot: string;

  constructor(private readonly opts: CryptoPayClientOptions) {
    this.apiRoot = opts.apiRoot.replace(/\/+$/, '');
    const transient = handleWhen((err) => err instanceof CryptoPayUnavailableError);
    const retries = retry(transient, {
      maxAttempts: opts.retries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: opts.backoffMs ?? 200, maxDelay: 2_000 }),
    }).dangerouslyUnref();
    const breaker = circuitBreaker(transient, {
      halfOpenAfter: opts.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(opts.breakerThreshold ?? 5),
    });
    this.policy = wrap(breaker, retries);
    this.once = breaker;
  }

  /** Not idempotent: a retry first looks the invoice up by payload, so a lost answer opens no second one. */
  async createInvoice(input: CreateInvoiceInput, o: CallOptions = {}): Promise<CryptoPayInvoice> {
    const attempts = (this.opts.retries ?? 2) + 1;
    let delay = this.opts.backoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createInvoiceOnce(input, o);
      } catch (err) {
        if (!(err instanceof CryptoPayUnavailableError) || attempt >= attempts) throw err;
        await sleep(delay, o.signal);
        delay = Math.min(delay * 2, 2_000);
        const made = await this.findInvoiceByPayload(input.payload, o).catch(() => null);
        if (made) return made;
      }
    }
  }

  async findInvoiceByPayload(payload: string, o: CallOptions = {}): Promise<CryptoPayInvoice | null> {
    for (let offset = 0; offset < FIND_BY_PAYLOAD_MAX; offset += GET_INVOICES_MAX_IDS) {
      const result = await this.call<{ items?: unknown }>(
        'getInvoices',
        { status: 'active', count: GET_INVOICES_MAX_IDS, offset },
        o,
      );
      if (!result || !Array.isArray(result.items))
        throw new CryptoPayUnavailableError('getInvoices', 'answer has no items list');
      const items = result.items.map((inv) => assertInvoice('getInvoices', inv));
      const found = items.find((inv) => inv.payload === payload);
      if (found) return found;
      if (items.length < GET_INVOICES_MAX_IDS) return null;
    }
    return null;
  }

  private createInvoiceOnce(input: CreateInvoiceInput, o: CallOptions): Promise<CryptoPayInvoice> {
    return this.call<CryptoPayInvoice>(
      'createInvoice',
      {
        currency_type: 'fiat',
        fiat: input.fiat,
        accepted_assets: input.acceptedAssets.join(','),
        amount: minorToDecimalString(input.amountMinor),
        payload: input.payload,
        description: input.description,
        expires_in: input.expiresInS,
      },
      o,
      this.once,
    ).then((inv) => assertInvoice('createInvoice', inv));
  }

  async getInvoices(ids: readonly number[], o: CallOptions = {}): Promise<CryptoPayInvoice[]> {
    const out: CryptoPayInvoice[] = [];
    for (let i = 0; i < ids.length; i += GET_INVOICES_MAX_IDS) {
      const batch = ids.slice(i, i + GET_INVOICES_MAX_IDS);
      const result = await this.call<{ items?: unknown }>(
        'getInvoices',
        { invoice_ids: batch.join(','), count: batch.length },
        o,
      );
      if (!result || !Array.isArray(result.items))
        throw new CryptoPayUnavailableError('getInvoices', 'answer has no items list');
      out.push(...result.items.map((inv) => assertInvoice('getInvoices', inv)));
    }
    return out;
  }

  async deleteInvoice(invoiceId: number, o: CallOptions = {}): Promise<boolean> {
    return (await this.call<unknown>('deleteInvoice', { invoice_id: invoiceId }, o)) === true;
  }

  getMe(o: CallOptions = {}): Promise<CryptoPayApp> {
    return this.call<CryptoPayApp>('getMe', {}, o);
  }

  private async call<T>(
    method: string,
    params: Record<string, unknown>,
    o: CallOptions,
    policy: IPolicy = this.policy,
  ): Promise<T> {
    try {
      return await policy.execute(() => this.attempt<T>(method, params, o.signal), o.signal);
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new CryptoPayUnavailableError(method, 'circuit open after repeated failures; retrying later', {
          cause: err,
        });
      throw err;
    }
  }

  private async attempt<T>(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    const deadline = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${this.apiRoot}/${method}`, {
        method: 'POST',
        headers: { 'Crypto-Pay-API-Token': this.opts.token, 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: combined,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      // The caller's own abort is not Crypto Pay's fault: no retry, no breaker count.
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      const reason = deadline.aborted ? `no answer within ${this.opts.timeoutMs} ms` : describe(err);
      throw new CryptoPayUnavailableError(method, reason, { cause: err });
    }
    if (status === 429 || status >= 500) throw new CryptoPayUnavailableError(method, `HTTP ${status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CryptoPayUnavailableError(method, `malformed JSON answer (HTTP ${status})`);
    }
    const envelope = body as { ok?: unknown; result?: unknown; error?: { code?: unknown; name?: unknown } };
    if (envelope?.ok === true && 'result' in envelope) return envelope.result as T;
    if (envelope?.ok === false && envelope.error)
      throw new CryptoPayApiError(method, Number(envelope.error.code), String(envelope.error.name));
    throw new CryptoPayUnavailableError(method, `unexpected answer (HTTP ${status})`);
  }
}

function assertInvoice(method: string, inv: unknown): CryptoPayInvoice {
  const i = inv as Partial<CryptoPayInvoice> | null;
  if (!i || typeof i.invoice_id !== 'number' || typeof i.status !== 'string')
    throw new CryptoPayUnavailableError(method, 'answer is not an invoice');
  return i as CryptoPayInvoice;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
