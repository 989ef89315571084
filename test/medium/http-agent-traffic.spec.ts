import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpAgentProvider } from '../../src/vpn/http-agent.provider';
import { VpnUnknownError } from '../../src/vpn/vpn.errors';

/** An agent answering GET /traffic with whatever the test sets. */
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
let provider: HttpAgentProvider;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new HttpAgentProvider({
    url,
    token: 'agent-token-0123456789',
    timeoutMs: 2_000,
    sentinelEmail: 'sentinel@vpn.local',
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('HTTP agent traffic counters', () => {
  it('reads cumulative counters and the core start from the uptime', async () => {
    answer = {
      status: 200,
      body: {
        users: [{ email: 'U1@VPN.local', uplink: 10, downlink: 20 }, { email: 'u2@vpn.local' }],
        uptimeSeconds: 60,
      },
    };
    const t = await provider.traffic();
    expect(t?.users).toEqual([
      { email: 'u1@vpn.local', uplinkBytes: 10, downlinkBytes: 20 },
      { email: 'u2@vpn.local', uplinkBytes: 0, downlinkBytes: 0 },
    ]);
    expect(Math.abs(Date.now() - 60_000 - t!.coreStartedAt!.getTime())).toBeLessThan(1_000);
  });

  it('says the agent counts nothing when it answers 501', async () => {
    answer = { status: 501, body: {} };
    expect(await provider.traffic()).toBeUndefined();
  });

  it('refuses a whole answer with a counter that is not a byte count, naming it', async () => {
    for (const bad of ['12', -1, 1.5, 2 ** 60]) {
      answer = { status: 200, body: { users: [{ email: 'u1@vpn.local', uplink: 1, downlink: bad }] } };
      const err = await provider.traffic().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VpnUnknownError);
      expect((err as Error).message).toContain(
        `downlink of u1@vpn.local is not a byte count: ${JSON.stringify(bad)}`,
      );
    }
    answer = { status: 200, body: { counters: [] } };
    await expect(provider.traffic()).rejects.toThrow(/GET \/traffic without a users array/);
  });
});
