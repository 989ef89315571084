import { randomUUID } from 'node:crypto';
import {
  normalizeEmail,
  normalizeUser,
  VpnProvider,
  type AddUserResult,
  type RemoveUserResult,
  type VpnCallOptions,
  type VpnHealth,
  type VpnTrafficSnapshot,
  type VpnUser,
} from './vpn-provider';
import {
  VpnInvalidUserError,
  VpnMisconfiguredError,
  VpnUnavailableError,
  VpnUnknownError,
  type VpnError,
} from './vpn.errors';

export interface HttpAgentProviderOptions {
  /** Base URL of the agent, e.g. http://10.0.0.5:8081/api (paths below are appended). */
  url: string;
  token: string;
  timeoutMs: number;
  sentinelEmail: string;
}

/** HTTP provisioning agent next to the core; contract and status mapping in docs/vpn.md. */
export class HttpAgentProvider extends VpnProvider {
  readonly kind = 'http-agent';
  private readonly base: string;
  private readonly sentinelUuid = randomUUID();

  constructor(private readonly opts: HttpAgentProviderOptions) {
    super();
    this.base = opts.url.replace(/\/+$/, '');
  }

  async addUser(user: VpnUser, opts: VpnCallOptions = {}): Promise<AddUserResult> {
    const u = normalizeUser(user);
    const body = await this.request('POST', '/users', u, opts);
    return this.result<AddUserResult>(body, ['created', 'already_present']);
  }

  async removeUser(email: string, opts: VpnCallOptions = {}): Promise<RemoveUserResult> {
    const e = normalizeEmail(email);
    const body = await this.request('DELETE', `/users/${encodeURIComponent(e)}`, undefined, opts);
    return this.result<RemoveUserResult>(body, ['removed', 'already_absent']);
  }

  async listUsers(opts: VpnCallOptions = {}): Promise<VpnUser[] | undefined> {
    const body = await this.request('GET', '/users', undefined, opts, [501]);
    if (body === NOT_SUPPORTED) return undefined;
    const users = (body as { users?: unknown }).users;
    if (!Array.isArray(users))
      throw new VpnUnknownError(`agent ${this.base}: GET /users without a users array`);
    return users.map((u: { email: string; uuid: string }) => ({
      email: String(u.email).toLowerCase(),
      uuid: String(u.uuid).toLowerCase(),
    }));
  }

  async traffic(opts: VpnCallOptions = {}): Promise<VpnTrafficSnapshot | undefined> {
    const body = await this.request('GET', '/traffic', undefined, opts, [501]);
    if (body === NOT_SUPPORTED) return undefined;
    const b = body as { users?: unknown; uptimeSeconds?: unknown };
    if (!Array.isArray(b?.users))
      throw new VpnUnknownError(`agent ${this.base}: GET /traffic without a users array`);
    // A wrong counter would be read as a restart and counted twice later: the whole answer is refused.
    const counter = (v: unknown, what: string) => {
      if (v === undefined) return 0;
      if (Number.isSafeInteger(v) && (v as number) >= 0) return v as number;
      throw new VpnUnknownError(
        `agent ${this.base}: GET /traffic: ${what} is not a byte count: ${JSON.stringify(v)}`,
      );
    };
    const uptime = b.uptimeSeconds == null ? undefined : counter(b.uptimeSeconds, 'uptimeSeconds');
    return {
      users: b.users.map((u: { email: string; uplink: unknown; downlink: unknown }) => ({
        email: String(u.email).toLowerCase(),
        uplinkBytes: counter(u.uplink, `uplink of ${String(u.email)}`),
        downlinkBytes: counter(u.downlink, `downlink of ${String(u.email)}`),
      })),
      coreStartedAt: uptime === undefined ? undefined : new Date(Date.now() - uptime * 1000),
    };
  }

  async health(opts: VpnCallOptions = {}): Promise<VpnHealth> {
    const r = await this.addUser({ email: this.opts.sentinelEmail, uuid: this.sentinelUuid }, opts);
    return { stateLost: r === 'created' };
  }

  private result<T extends string>(body: unknown, allowed: T[]): T {
    const r = (body as { result?: string })?.result as T;
    if (!allowed.includes(r))
      throw new VpnUnknownError(`agent ${this.base}: unexpected answer ${JSON.stringify(body)}`);
    return r;
  }

  private async request(
    method: string,
    path: string,
    json: unknown,
    opts: VpnCallOptions,
    notSupported: number[] = [],
  ): Promise<unknown> {
    const signals = [AbortSignal.timeout(this.opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.any(signals),
      });
      text = await res.text();
    } catch (err) {
      throw new VpnUnavailableError(
        `agent ${this.base}: ${method} ${path} failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (notSupported.includes(res.status)) return NOT_SUPPORTED;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) return body;
    throw this.toError(res.status, body, `agent ${this.base}: ${method} ${path} → ${res.status}`);
  }

  private toError(statusCode: number, body: unknown, where: string): VpnError {
    const b = (body ?? {}) as { error?: string; message?: string };
    const text = b.message ? `${where}: ${b.message}` : where;
    const kind =
      b.error ??
      (statusCode === 401 || statusCode === 403 || statusCode === 404 || statusCode === 405
        ? 'misconfigured'
        : statusCode === 400 || statusCode === 422
          ? 'invalid_user'
          : statusCode === 408 || statusCode === 429 || statusCode >= 500
            ? 'unavailable'
            : 'unknown');
    if (kind === 'misconfigured') return new VpnMisconfiguredError(text);
    if (kind === 'invalid_user') return new VpnInvalidUserError(text);
    if (kind === 'unavailable') return new VpnUnavailableError(text);
    return new VpnUnknownError(text);
  }
}

const NOT_SUPPORTED = Symbol('not supported');
