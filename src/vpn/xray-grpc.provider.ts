import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { classifyCoreError } from './core-error-classifier';
import {
  normalizeEmail,
  normalizeUser,
  VpnProvider,
  type AddUserResult,
  type RemoveUserResult,
  type VpnCallOptions,
  type VpnHealth,
  type VpnTraffic,
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
import { loadXrayProto, method, type XrayNamespace, type XrayProto } from './xray-proto';

export interface XrayGrpcProviderOptions {
  address: string;
  inboundTag: string;
  namespace: XrayNamespace;
  timeoutMs: number;
  sentinelEmail: string;
  flow?: string;
}

interface UserMessage {
  email?: string;
  account?: { type?: string; value?: Uint8Array };
}

/** Xray-core or v2fly core through its gRPC API (HandlerService.AlterInbound, GetInboundUsers, StatsService). */
export class XrayGrpcProvider extends VpnProvider {
  readonly kind = 'xray-grpc';
  private readonly client: Client;
  private readonly proto: XrayProto;
  // A working login: random per process and never shown, so it cannot be guessed.
  private readonly sentinelUuid = randomUUID();
  private listingSupported: boolean | undefined;

  constructor(private readonly opts: XrayGrpcProviderOptions) {
    super();
    this.proto = loadXrayProto(opts.namespace);
    this.client = new Client(opts.address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // One QueryStats answer carries every user's two counters (~1.2 MB per 10,000 users; default cap 4 MB).
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // A restarted core resets the channel's old connection: the next call fails with UNAVAILABLE before the
      // core saw it. Every call here is idempotent, so it is retried (within its deadline) on a new one.
      'grpc.service_config': JSON.stringify({
        methodConfig: [
          {
            name: [{}],
            retryPolicy: {
              maxAttempts: 3,
              initialBackoff: '0.05s',
              maxBackoff: '0.5s',
              backoffMultiplier: 2,
              retryableStatusCodes: ['UNAVAILABLE'],
            },
          },
        ],
      }),
    });
  }

  async addUser(user: VpnUser, opts: VpnCallOptions = {}): Promise<AddUserResult> {
    const u = normalizeUser(user);
    const account = this.proto.typed('proxy.vless.Account', { id: u.uuid, flow: this.opts.flow ?? '' });
    const operation = this.proto.typed('app.proxyman.command.AddUserOperation', {
      user: { level: 0, email: u.email, account },
    });
    const outcome = await this.alter(operation, opts);
    return outcome === 'already_present' ? 'already_present' : 'created';
  }

  async removeUser(email: string, opts: VpnCallOptions = {}): Promise<RemoveUserResult> {
    const operation = this.proto.typed('app.proxyman.command.RemoveUserOperation', {
      email: normalizeEmail(email),
    });
    const outcome = await this.alter(operation, opts);
    return outcome === 'already_absent' ? 'already_absent' : 'removed';
  }

  async listUsers(opts: VpnCallOptions = {}): Promise<VpnUser[] | undefined> {
    if (this.listingSupported === false) return undefined;
    let res: { users?: UserMessage[] };
    try {
      res = await this.call(
        this.proto.handler,
        'GetInboundUsers',
        { tag: this.opts.inboundTag, email: '' },
        opts,
      );
    } catch (err) {
      if ((err as ServiceError).code === status.UNIMPLEMENTED) {
        this.listingSupported = false;
        return undefined;
      }
      throw this.toVpnError(err);
    }
    this.listingSupported = true;
    const accountType = this.proto.root.lookupType(this.proto.typeName('proxy.vless.Account'));
    return (res.users ?? [])
      .filter((u): u is UserMessage => !!u?.email)
      .map((u) => {
        const id = u.account?.value
          ? (accountType.decode(u.account.value) as unknown as { id: string }).id
          : '';
        return { email: u.email!.toLowerCase(), uuid: id.toLowerCase() };
      });
  }

  /** Read without reset so a lost answer loses no bytes; uptime tells a restart. */
  async traffic(opts: VpnCallOptions = {}): Promise<VpnTrafficSnapshot | undefined> {
    let res: { stat?: { name: string; value: number }[] };
    let uptime: number | undefined;
    try {
      const sys = this.call<{ Uptime?: number }>(this.proto.stats, 'GetSysStats', {}, opts).then(
        (r) => r.Uptime,
        () => undefined,
      );
      res = await this.call(this.proto.stats, 'QueryStats', { pattern: 'user>>>', reset: false }, opts);
      uptime = await sys;
    } catch (err) {
      if ((err as ServiceError).code === status.UNIMPLEMENTED) return undefined;
      throw this.toVpnError(err);
    }
    const byEmail = new Map<string, VpnTraffic>();
    for (const s of res.stat ?? []) {
      const m = /^user>>>(.+)>>>traffic>>>(uplink|downlink)$/.exec(s.name);
      if (!m) continue;
      const email = m[1].toLowerCase();
      const t = byEmail.get(email) ?? { email, uplinkBytes: 0, downlinkBytes: 0 };
      if (m[2] === 'uplink') t.uplinkBytes = Number(s.value);
      else t.downlinkBytes = Number(s.value);
      byEmail.set(email, t);
    }
    const coreStartedAt = uptime === undefined ? undefined : new Date(Date.now() - uptime * 1000);
    return { users: [...byEmail.values()], coreStartedAt };
  }

  /** API-added users live only in memory: if the sentinel can be added again, the core lost them all. */
  async health(opts: VpnCallOptions = {}): Promise<VpnHealth> {
    const r = await this.addUser({ email: this.opts.sentinelEmail, uuid: this.sentinelUuid }, opts);
    return { stateLost: r === 'created' };
  }

  override async close(): Promise<void> {
    this.client.close();
  }

  private async alter(
    operation: { type: string; value: Buffer },
    opts: VpnCallOptions,
  ): Promise<'ok' | 'already_present' | 'already_absent'> {
    try {
      await this.call(this.proto.handler, 'AlterInbound', { tag: this.opts.inboundTag, operation }, opts);
      return 'ok';
    } catch (err) {
      const e = err as ServiceError;
      const cls = classifyCoreError(e.code, e.details);
      if (cls === 'already_present' || cls === 'already_absent') return cls;
      throw this.toVpnError(err);
    }
  }

  private call<T>(
    service: XrayProto['handler'],
    name: string,
    request: Record<string, unknown>,
    opts: VpnCallOptions,
  ): Promise<T> {
    const m = method(service, name);
    return new Promise<T>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(this.aborted(opts.signal));
      const call = this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + this.opts.timeoutMs },
        (err, value) => {
          opts.signal?.removeEventListener('abort', onAbort);
          if (err) reject(opts.signal?.aborted ? this.aborted(opts.signal) : err);
          else resolve(value as T);
        },
      );
      const onAbort = () => call.cancel();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private aborted(signal: AbortSignal): VpnUnavailableError {
    return new VpnUnavailableError(
      `VPN core call aborted: ${String((signal.reason as Error)?.message ?? signal.reason)}`,
    );
  }

  private toVpnError(err: unknown): VpnError {
    if (err instanceof VpnUnavailableError) return err;
    const e = err as ServiceError;
    const where = `${this.opts.namespace} core at ${this.opts.address} (inbound ${this.opts.inboundTag})`;
    const text = `${where}: code ${e.code} ${e.details ?? e.message}`;
    switch (classifyCoreError(e.code, e.details)) {
      case 'unavailable':
        return new VpnUnavailableError(text, { cause: err });
      case 'misconfigured':
        return new VpnMisconfiguredError(text, { cause: err });
      case 'invalid_user':
        return new VpnInvalidUserError(text, { cause: err });
      default:
        return new VpnUnknownError(text, { cause: err });
    }
  }
}
