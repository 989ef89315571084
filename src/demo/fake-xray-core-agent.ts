import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { VpnError } from '../vpn/vpn.errors';
import { XrayGrpcProvider, type XrayGrpcProviderOptions } from '../vpn/xray-grpc.provider';

/** `/t/<tag>/…` selects another inbound tag, so the contract suite can provoke a misconfiguration. */
export async function startFakeAgent(opts: { core: XrayGrpcProviderOptions; token: string }) {
  const providers = new Map<string, XrayGrpcProvider>();
  const providerFor = (tag: string) => {
    let p = providers.get(tag);
    if (!p) providers.set(tag, (p = new XrayGrpcProvider({ ...opts.core, inboundTag: tag })));
    return p;
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readJson = async (req: IncomingMessage) => {
    let s = '';
    for await (const chunk of req) s += chunk;
    return JSON.parse(s || '{}') as { email: string; uuid: string };
  };
  const server = createServer((req, res) => {
    void (async () => {
      const auth = Buffer.from(req.headers.authorization ?? '');
      const expected = Buffer.from(`Bearer ${opts.token}`);
      if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return send(res, 401, {});
      if (req.method === 'GET' && req.url === '/traffic') {
        const t = await providerFor(opts.core.inboundTag)
          .traffic()
          .catch(() => null);
        if (t === null) return send(res, 503, { error: 'unavailable' });
        if (!t) return send(res, 501, {});
        const uptimeSeconds = t.coreStartedAt
          ? Math.round((Date.now() - t.coreStartedAt.getTime()) / 1000)
          : undefined;
        const users = t.users.map((u) => ({
          email: u.email,
          uplink: u.uplinkBytes,
          downlink: u.downlinkBytes,
        }));
        return send(res, 200, { users, uptimeSeconds });
      }
      const m = /^(?:\/t\/([^/]+))?\/users(?:\/([^/]+))?$/.exec(req.url ?? '');
      if (!m) return send(res, 404, {});
      const provider = providerFor(m[1] ?? opts.core.inboundTag);
      try {
        if (req.method === 'POST' && !m[2]) {
          const result = await provider.addUser(await readJson(req));
          return send(res, result === 'created' ? 201 : 200, { result });
        }
        if (req.method === 'DELETE' && m[2])
          return send(res, 200, { result: await provider.removeUser(decodeURIComponent(m[2])) });
        if (req.method === 'GET' && !m[2]) {
          const users = await provider.listUsers();
          return users ? send(res, 200, { users }) : send(res, 501, {});
        }
        return send(res, 405, {});
      } catch (err) {
        const code = err instanceof VpnError ? err.code : 'unknown';
        send(res, code === 'invalid_user' ? 422 : code === 'unavailable' ? 503 : 500, {
          error: code,
          message: (err as Error).message,
        });
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlForTag: (tag: string) => `${url}/t/${tag}`,
    stop: async () => {
      await Promise.all([...providers.values()].map((p) => p.close()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
