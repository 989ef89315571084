import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { connect, createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { loadXrayProto, type XrayNamespace } from '../vpn/xray-proto';

interface TypedMessage {
  type: string;
  value: Uint8Array;
}

/** In-process Xray/v2fly gRPC core and VLESS server reproducing the real cores' quirks and error texts. */
export class FakeXrayCore {
  readonly users = new Map<string, { email: string; uuid: string }>();
  apiAddress = '';
  vlessPort = 0;
  delayMs = 0;
  /** Stats counters by name (`user>>>EMAIL>>>traffic>>>uplink`); a test or bench fills them. */
  readonly counters = new Map<string, number>();
  private startedAt = Date.now();
  private grpc?: Server;
  private vless?: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly prefix: string;

  constructor(
    readonly namespace: XrayNamespace,
    readonly inboundTag = 'vless-in',
  ) {
    this.prefix = namespace === 'xray' ? '' : 'v2ray.com/core/';
  }

  async start(): Promise<this> {
    const proto = loadXrayProto(this.namespace);
    const server = new Server();
    const unary =
      (fn: (req: Record<string, unknown>) => unknown) =>
      (call: ServerUnaryCall<Record<string, unknown>, unknown>, cb: sendUnaryData<unknown>) => {
        setTimeout(() => {
          try {
            cb(null, fn(call.request));
          } catch (err) {
            cb({ code: status.UNKNOWN, details: (err as Error).message });
          }
        }, this.delayMs);
      };
    const handler: UntypedServiceImplementation = {
      AlterInbound: unary((req) => this.alter(req.tag as string, req.operation as TypedMessage)),
    };
    if (this.namespace === 'xray') {
      handler.GetInboundUsers = unary((req) => {
        this.handlerFor(req.tag as string);
        return { users: [...this.users.values()].map((u) => this.userMessage(u)) };
      });
      handler.GetInboundUsersCount = unary(() => ({ count: this.users.size }));
    }
    server.addService(proto.handler, handler);
    server.addService(proto.stats, {
      QueryStats: unary((req) => this.queryStats(String(req.pattern ?? ''), req.reset === true)),
      GetStats: unary((req) => ({
        stat: { name: String(req.name), value: this.counters.get(String(req.name)) ?? 0 },
      })),
      GetSysStats: unary(() => ({ Uptime: Math.max(1, Math.round((Date.now() - this.startedAt) / 1000)) })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.grpc = server;
    this.apiAddress = `127.0.0.1:${port}`;
    this.vless = createServer((s) => this.serveVless(s));
    await new Promise<void>((r) => this.vless!.listen(0, '127.0.0.1', r));
    this.vlessPort = (this.vless.address() as AddressInfo).port;
    return this;
  }

  reset(): void {
    this.users.clear();
    this.counters.clear();
    this.startedAt = Date.now();
  }

  /** Like the real cores: a substring match over counter names. */
  private queryStats(pattern: string, reset: boolean) {
    const stat = [...this.counters]
      .filter(([name]) => name.includes(pattern))
      .map(([name, value]) => ({ name, value }));
    if (reset) for (const s of stat) this.counters.set(s.name, 0);
    return { stat };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.grpc?.forceShutdown();
    await new Promise<void>((r) => (this.vless ? this.vless.close(() => r()) : r()));
  }

  private alter(tag: string, op: TypedMessage): Record<string, never> {
    const proto = loadXrayProto(this.namespace);
    this.handlerFor(tag);
    const addType = proto.typeName('app.proxyman.command.AddUserOperation');
    const removeType = proto.typeName('app.proxyman.command.RemoveUserOperation');
    const cmd = `${this.prefix}app/proxyman/command`;
    const vless = `${this.prefix}proxy/vless`;
    if (op?.type === addType) {
      const add = proto.root.lookupType(addType).decode(op.value) as unknown as {
        user: { email: string; account: TypedMessage };
      };
      const accountType = proto.typeName('proxy.vless.Account');
      if (add.user?.account?.type !== accountType)
        throw new Error(this.unknownType(cmd, add.user?.account?.type));
      const { id } = proto.root.lookupType(accountType).decode(add.user.account.value) as unknown as {
        id: string;
      };
      if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(id))
        throw new Error(`${cmd}: failed to parse user > ${vless}: failed to parse ID > invalid UUID: ${id}`);
      const key = add.user.email.toLowerCase();
      if (this.users.has(key)) throw new Error(`${vless}: User ${add.user.email} already exists.`);
      this.users.set(key, { email: add.user.email, uuid: id.toLowerCase() });
      return {};
    }
    if (op?.type === removeType) {
      const { email } = proto.root.lookupType(removeType).decode(op.value) as unknown as { email: string };
      if (!email) throw new Error(`${vless}: Email must not be empty.`);
      if (!this.users.delete(email.toLowerCase())) throw new Error(`${vless}: User ${email} not found.`);
      return {};
    }
    throw new Error(this.unknownType(cmd, op?.type));
  }

  private unknownType(cmd: string, type: string | undefined): string {
    return this.namespace === 'xray'
      ? `${cmd}: unknown operation > proto: not found`
      : `${cmd}: unknown operation > Serial: Unknown type: ${type}`;
  }

  private handlerFor(tag: string): void {
    if (tag !== this.inboundTag)
      throw new Error(
        `${this.prefix}app/proxyman/command: failed to get handler: ${tag} > ${this.prefix}app/proxyman/inbound: handler not found: ${tag}`,
      );
  }

  private userMessage(u: { email: string; uuid: string }) {
    const proto = loadXrayProto(this.namespace);
    return { level: 0, email: u.email, account: proto.typed('proxy.vless.Account', { id: u.uuid }) };
  }

  /** Minimal VLESS server: checks the UUID, then relays to the requested 127.0.0.1 target. */
  private serveVless(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 18) return;
      const addons = buf[17];
      const at = 18 + addons;
      if (buf.length < at + 4 + 4) return;
      client.off('data', onData);
      const uuid = buf.subarray(1, 17).toString('hex');
      const user = [...this.users.values()].find((u) => u.uuid.replace(/-/g, '') === uuid);
      const known = !!user;
      const port = buf.readUInt16BE(at + 1);
      const ip = [...buf.subarray(at + 4, at + 8)].join('.');
      if (!known || buf[at] !== 0x01 || buf[at + 3] !== 0x01 || ip !== '127.0.0.1')
        return void client.destroy();
      const upstream = connect({ host: ip, port });
      upstream.on('error', () => client.destroy());
      // Per-user counters as the real cores keep them with statsUserUplink / statsUserDownlink.
      const count = (dir: 'uplink' | 'downlink', n: number) => {
        const name = `user>>>${user!.email.toLowerCase()}>>>traffic>>>${dir}`;
        this.counters.set(name, (this.counters.get(name) ?? 0) + n);
      };
      upstream.once('connect', () => {
        client.write(Buffer.from([0x00, 0x00]));
        count('uplink', buf.length - at - 8);
        upstream.write(buf.subarray(at + 8));
        client.on('data', (d: Buffer) => count('uplink', d.length));
        upstream.on('data', (d: Buffer) => count('downlink', d.length));
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    client.on('data', onData);
  }
}
