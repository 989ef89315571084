import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoPayInvoice } from '../payments/providers/crypto-pay/crypto-pay.types';
import { sendCryptoPayWebhook, type WebhookDelivery, type WebhookOptions } from './fake-crypto-pay-webhooks';
import { keepNewest } from './recent-window';

export type CryptoPayFault = 'hang' | 'http500' | 'http429' | 'malformed' | 'drop' | 'lost';

export interface FakeCryptoPayOptions {
  token?: string;
  port?: number;
  /** Keep only this many recent requests (a long-running demo); unbounded by default for tests. */
  keepRequests?: number;
}

interface FaultRule {
  fault: CryptoPayFault;
  methods?: string[];
  remaining?: number;
}

const FIATS = new Set(
  'USD EUR RUB BYN UAH GBP CNY KZT UZS GEL TRY AMD THB INR BRL IDR AZN AED PLN ILS KGS TJS'.split(' '),
);
const ASSETS = new Set('USDT TON BTC ETH LTC BNB TRX USDC JET GRAM NOT MY SOL'.split(' '));

class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly apiCode: number,
    readonly apiName: string,
  ) {
    super(apiName);
  }
}

/** A Crypto Pay API we own on 127.0.0.1: the real envelope, signed webhooks and faults on demand. */
export class FakeCryptoPay {
  readonly token: string;
  readonly invoices = new Map<number, CryptoPayInvoice>();
  readonly requests: { method: string; params: Record<string, string>; at: number }[] = [];
  private server?: Server;
  private faults: FaultRule[] = [];
  private hanging = new Set<ServerResponse>();
  private nextInvoiceId = 1000 + Math.floor(Math.random() * 1000);
  private nextUpdateId = 1;
  private port = 0;

  constructor(private readonly opts: FakeCryptoPayOptions = {}) {
    // Real tokens are `<digits>:<35 alphanumerics>`.
    const secret = `AA${randomBytes(24).toString('hex')}`.slice(0, 35);
    this.token = opts.token ?? `${10_000 + Math.floor(Math.random() * 90_000)}:${secret}`;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  fail(fault: CryptoPayFault, opts: { methods?: string[]; times?: number } = {}): void {
    this.faults.push({ fault, methods: opts.methods, remaining: opts.times });
  }

  clearFaults(): void {
    this.faults = [];
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  get hangingCount(): number {
    return this.hanging.size;
  }

  callsTo(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  markPaid(invoiceId: number, paid: { asset?: string; amount?: string } = {}): CryptoPayInvoice {
    const inv = this.mustGet(invoiceId);
    if (inv.status !== 'active') throw new Error(`invoice ${invoiceId} is ${inv.status}, cannot pay`);
    Object.assign(inv, {
      status: 'paid',
      paid_at: new Date().toISOString(),
      paid_anonymously: false,
      paid_asset: paid.asset ?? 'USDT',
      paid_amount: paid.amount ?? inv.amount,
      paid_fiat_rate: '1.00000000',
      paid_usd_rate: '1.00000000',
      fee_asset: paid.asset ?? 'USDT',
      fee_amount: '0',
      fee_in_usd: '0',
    } satisfies Partial<CryptoPayInvoice>);
    return inv;
  }

  markExpired(invoiceId: number): CryptoPayInvoice {
    const inv = this.mustGet(invoiceId);
    inv.status = 'expired';
    return inv;
  }

  /** Not calling it is a webhook that never comes. */
  deliverWebhook(url: string, invoiceId: number, o: WebhookOptions = {}): Promise<WebhookDelivery[]> {
    const inv = this.mustGet(invoiceId);
    const update = {
      update_id: o.updateId ?? this.nextUpdateId++,
      update_type: 'invoice_paid',
      request_date: o.requestDate ?? new Date().toISOString(),
      payload: { ...inv },
    };
    return sendCryptoPayWebhook(url, this.token, update, o);
  }

  private mustGet(invoiceId: number): CryptoPayInvoice {
    const inv = this.invoices.get(invoiceId);
    if (!inv) throw new Error(`fake Crypto Pay has no invoice ${invoiceId}`);
    this.refreshExpiry(inv);
    return inv;
  }

  private refreshExpiry(inv: CryptoPayInvoice): void {
    if (inv.status === 'active' && inv.expiration_date && Date.parse(inv.expiration_date) <= Date.now())
      inv.status = 'expired';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = url.pathname.replace(/^\/api\//, '');
    let params: Record<string, string>;
    try {
      params = await readParams(req, url);
    } catch {
      return this.send(res, 400, { ok: false, error: { code: 400, name: 'BAD_REQUEST' } });
    }
    this.requests.push({ method, params, at: Date.now() });
    keepNewest(this.requests, this.opts.keepRequests);
    const rule = this.faults.find((f) => !f.methods || f.methods.includes(method));
    if (rule) {
      if (rule.remaining !== undefined && --rule.remaining <= 0)
        this.faults.splice(this.faults.indexOf(rule), 1);
      if (rule.fault === 'lost') {
        if (req.headers['crypto-pay-api-token'] === this.token) this.dispatch(method, params);
        return void res.socket?.destroy();
      }
      return this.injectFault(rule.fault, res);
    }
    if (req.headers['crypto-pay-api-token'] !== this.token)
      return this.send(res, 401, { ok: false, error: { code: 401, name: 'UNAUTHORIZED' } });
    try {
      this.send(res, 200, { ok: true, result: this.dispatch(method, params) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.send(res, err.httpStatus, { ok: false, error: { code: err.apiCode, name: err.apiName } });
    }
  }

  private injectFault(fault: CryptoPayFault, res: ServerResponse): void {
    if (fault === 'hang') {
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      return;
    }
    if (fault === 'drop') return void res.socket?.destroy();
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"ok":true,"result":{"items":[');
    }
    if (fault === 'http429')
      return this.send(res, 429, { ok: false, error: { code: 429, name: 'FLOOD_WAIT' } });
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><body>502 Bad Gateway</body></html>');
  }

  private dispatch(method: string, p: Record<string, string>): unknown {
    switch (method) {
      case 'getMe':
        return { app_id: 1, name: 'fake-app', payment_processing_bot_username: 'CryptoTestnetBot' };
      case 'createInvoice':
        return this.createInvoice(p);
      case 'getInvoices':
        return this.getInvoices(p);
      case 'deleteInvoice': {
        const id = Number(p.invoice_id);
        if (!this.invoices.delete(id)) throw new ApiError(400, 400, 'INVOICE_NOT_FOUND');
        return true;
      }
      default:
        throw new ApiError(405, 405, 'METHOD_NOT_FOUND');
    }
  }

  private createInvoice(p: Record<string, string>): CryptoPayInvoice {
    const type = p.currency_type ?? 'crypto';
    if (type !== 'crypto' && type !== 'fiat') throw new ApiError(400, 400, 'CURRENCY_TYPE_INVALID');
    if (type === 'fiat' && !FIATS.has(p.fiat ?? '')) throw new ApiError(400, 400, 'FIAT_INVALID');
    if (type === 'crypto' && !ASSETS.has(p.asset ?? '')) throw new ApiError(400, 400, 'ASSET_INVALID');
    if (!/^\d+(\.\d{1,18})?$/.test(p.amount ?? '') || Number(p.amount) <= 0)
      throw new ApiError(400, 400, 'AMOUNT_INVALID');
    const accepted = p.accepted_assets?.split(',').filter(Boolean);
    if (accepted && (type !== 'fiat' || accepted.some((a) => !ASSETS.has(a))))
      throw new ApiError(400, 400, 'ACCEPTED_ASSETS_INVALID');
    if ((p.payload ?? '').length > 4096) throw new ApiError(400, 400, 'PAYLOAD_TOO_LONG');
    if ((p.description ?? '').length > 1024) throw new ApiError(400, 400, 'DESCRIPTION_TOO_LONG');
    const expiresIn = p.expires_in === undefined ? undefined : Number(p.expires_in);
    if (expiresIn !== undefined && !(Number.isInteger(expiresIn) && expiresIn >= 1 && expiresIn <= 2_678_400))
      throw new ApiError(400, 400, 'EXPIRES_IN_INVALID');
    const id = this.nextInvoiceId++;
    const hash = `IV${randomBytes(6).toString('hex')}`;
    const inv: CryptoPayInvoice = {
      invoice_id: id,
      hash,
      currency_type: type,
      ...(type === 'fiat' ? { fiat: p.fiat } : { asset: p.asset }),
      amount: p.amount,
      status: 'active',
      bot_invoice_url: `https://t.me/CryptoTestnetBot?start=${hash}`,
      mini_app_invoice_url: `https://t.me/CryptoTestnetBot/app?startapp=invoice-${hash}`,
      web_app_invoice_url: `https://testnet-app.send.tg/invoices/${hash}`,
      pay_url: `https://t.me/CryptoTestnetBot?start=${hash}`,
      ...(p.description ? { description: p.description } : {}),
      ...(p.payload ? { payload: p.payload } : {}),
      created_at: new Date().toISOString(),
      ...(expiresIn ? { expiration_date: new Date(Date.now() + expiresIn * 1000).toISOString() } : {}),
      allow_comments: p.allow_comments !== 'false',
      allow_anonymous: p.allow_anonymous !== 'false',
      ...(accepted ? { accepted_assets: accepted } : {}),
    };
    this.invoices.set(id, inv);
    return { ...inv };
  }

  private getInvoices(p: Record<string, string>): { items: CryptoPayInvoice[] } {
    const count = p.count === undefined ? 100 : Number(p.count);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new ApiError(400, 400, 'COUNT_INVALID');
    const offset = Number(p.offset ?? 0);
    const ids = p.invoice_ids?.split(',').filter(Boolean).map(Number);
    let list = ids ? ids.flatMap((id) => this.invoices.get(id) ?? []) : [...this.invoices.values()];
    list.forEach((inv) => this.refreshExpiry(inv));
    if (p.status) list = list.filter((inv) => inv.status === p.status);
    return { items: list.slice(offset, offset + count).map((inv) => ({ ...inv })) };
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (req.method !== 'POST') return params;
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if (!raw.trim()) return params;
  const body = JSON.parse(raw) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    params[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return params;
}
