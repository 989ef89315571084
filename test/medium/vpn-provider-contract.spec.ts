import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VpnProvider } from '../../src/vpn/vpn-provider';
import { VpnInvalidUserError, VpnMisconfiguredError, VpnUnavailableError } from '../../src/vpn/vpn.errors';
import { XrayGrpcProvider, type XrayGrpcProviderOptions } from '../../src/vpn/xray-grpc.provider';
import type { XrayNamespace } from '../../src/vpn/xray-proto';
import { freePort } from '../../src/database/embedded-postgres';
import { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { startFakeAgent } from '../../src/demo/fake-xray-core-agent';
import { HttpAgentProvider } from '../../src/vpn/http-agent.provider';
import { startTargetServer, TARGET_BODY, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable } from '../support/v2ray-core';

/**
 * The VpnProvider contract. A new adapter is done when it passes this suite against a core that proves
 * access with a real VLESS handshake.
 */
interface Running {
  vlessPort: number;
  canList: boolean;
  provider(overrides?: Partial<XrayGrpcProviderOptions>): VpnProvider;
  /** The core restarts and forgets its API-added users. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  available(): boolean;
  start(targetPort: number): Promise<Running>;
}

const grpcOptions = (
  address: string,
  inboundTag: string,
  namespace: XrayNamespace,
): XrayGrpcProviderOptions => ({
  address,
  inboundTag,
  namespace,
  timeoutMs: 2_000,
  sentinelEmail: 'sentinel@vpn.local',
});

const fakeTarget = (namespace: XrayNamespace): Target => ({
  name: `xray-grpc → in-process fake core (${namespace})`,
  available: () => true,
  async start() {
    const core = await new FakeXrayCore(namespace, 'vless-in').start();
    const providers: VpnProvider[] = [];
    return {
      vlessPort: core.vlessPort,
      canList: namespace === 'xray',
      provider: (o) => {
        const p = new XrayGrpcProvider({ ...grpcOptions(core.apiAddress, 'vless-in', namespace), ...o });
        providers.push(p);
        return p;
      },
      restart: async () => core.reset(),
      stop: async () => {
        await Promise.all(providers.map((p) => p.close()));
        await core.stop();
      },
    };
  },
});

const targets: Target[] = [
  {
    name: 'xray-grpc → real v2fly core (v2ray.core)',
    available: v2rayAvailable,
    async start(targetPort) {
      const core = await startV2rayCore({ targetPort });
      const providers: VpnProvider[] = [];
      return {
        vlessPort: core.vlessPort,
        canList: false,
        provider: (o) => {
          const p = new XrayGrpcProvider({
            ...grpcOptions(core.apiAddress, core.inboundTag, 'v2ray.core'),
            ...o,
          });
          providers.push(p);
          return p;
        },
        restart: () => core.restart(),
        stop: async () => {
          await Promise.all(providers.map((p) => p.close()));
          await core.stop();
        },
      };
    },
  },
  fakeTarget('xray'),
  fakeTarget('v2ray.core'),
  {
    name: 'http-agent → agent → in-process fake core (xray)',
    available: () => true,
    async start() {
      const core = await new FakeXrayCore('xray', 'vless-in').start();
      const agent = await startFakeAgent({
        core: grpcOptions(core.apiAddress, 'vless-in', 'xray'),
        token: 'agent-secret',
      });
      const providers: VpnProvider[] = [];
      return {
        vlessPort: core.vlessPort,
        canList: true,
        provider: (o) => {
          const url = o?.inboundTag ? agent.urlForTag(o.inboundTag) : agent.url;
          const p = new HttpAgentProvider({
            url: o?.address ? `http://${o.address}` : url,
            token: o?.namespace ? 'wrong-token' : 'agent-secret',
            timeoutMs: 2_000,
            sentinelEmail: 'sentinel@vpn.local',
          });
          providers.push(p);
          return p;
        },
        restart: async () => core.reset(),
        stop: async () => {
          await agent.stop();
          await core.stop();
        },
      };
    },
  },
];

const newUser = () => ({ email: `u${randomUUID().slice(0, 8)}@test.local`, uuid: randomUUID() });

for (const target of targets) {
  describe.skipIf(!target.available())(`VpnProvider contract: ${target.name}`, () => {
    let run: Running;
    let provider: VpnProvider;
    let http: Awaited<ReturnType<typeof startTargetServer>>;
    const access = (uuid: string) => vlessGet({ vlessPort: run.vlessPort, uuid, targetPort: http.port });

    beforeAll(async () => {
      http = await startTargetServer();
      run = await target.start(http.port);
      provider = run.provider();
    });
    afterAll(async () => {
      await run?.stop();
      await http?.close();
    });

    it('grants access on add and refuses new connections after remove', async () => {
      const u = newUser();
      expect(await access(u.uuid)).toMatchObject({ accepted: false });
      expect(await provider.addUser(u)).toBe('created');
      expect(await access(u.uuid)).toMatchObject({ accepted: true });
      expect(await provider.removeUser(u.email)).toBe('removed');
      expect(await access(u.uuid)).toMatchObject({ accepted: false });
    });

    it('is idempotent: a second add reports already present, a second remove already absent, in any letter case', async () => {
      const u = newUser();
      expect(await provider.addUser(u)).toBe('created');
      expect(await provider.addUser({ ...u, email: u.email.toUpperCase() })).toBe('already_present');
      expect(await provider.removeUser(u.email.toUpperCase())).toBe('removed');
      expect(await provider.removeUser(u.email)).toBe('already_absent');
    });

    it('re-adds a removed user (renewal after expiry) with access restored', async () => {
      const u = newUser();
      await provider.addUser(u);
      await provider.removeUser(u.email);
      expect(await provider.addUser(u)).toBe('created');
      expect(await access(u.uuid)).toMatchObject({ accepted: true });
    });

    it('lists users with their UUIDs when the core can, and says it cannot otherwise', async () => {
      const u = newUser();
      await provider.addUser({ ...u, email: u.email.toUpperCase() });
      const listed = await provider.listUsers();
      if (run.canList) expect(listed).toContainEqual({ email: u.email, uuid: u.uuid });
      else expect(listed).toBeUndefined();
    });

    it('reports lost state through the sentinel after the core restarts, and access returns once re-added', async () => {
      const u = newUser();
      await provider.addUser(u);
      await provider.health();
      expect(await provider.health()).toEqual({ stateLost: false });
      await run.restart();
      expect(await provider.health()).toEqual({ stateLost: true });
      expect(await access(u.uuid)).toMatchObject({ accepted: false });
      expect(await provider.addUser(u)).toBe('created');
      expect(await access(u.uuid)).toMatchObject({ accepted: true });
    });

    it("counts a user's tunnel traffic, and reading the counters never resets them", async () => {
      const u = newUser();
      await provider.addUser(u);
      expect((await access(u.uuid)).accepted).toBe(true);
      const first = (await provider.traffic())?.users.find((t) => t.email === u.email);
      expect(first?.downlinkBytes).toBeGreaterThan(TARGET_BODY.length);
      expect(first?.uplinkBytes).toBeGreaterThan(0);
      const again = (await provider.traffic())?.users.find((t) => t.email === u.email);
      expect(again).toEqual(first);
      await provider.removeUser(u.email);
    });

    it('rejects a malformed UUID and an empty e-mail as invalid users', async () => {
      await expect(provider.addUser({ email: 'x@test.local', uuid: 'not-a-uuid' })).rejects.toBeInstanceOf(
        VpnInvalidUserError,
      );
      await expect(provider.addUser({ email: '', uuid: randomUUID() })).rejects.toBeInstanceOf(
        VpnInvalidUserError,
      );
      await expect(provider.removeUser('  ')).rejects.toBeInstanceOf(VpnInvalidUserError);
    });

    it('reports a wrong inbound tag as misconfiguration, not as an absent user', async () => {
      const wrong = run.provider({ inboundTag: 'no-such-inbound' });
      await expect(wrong.removeUser('x@test.local')).rejects.toBeInstanceOf(VpnMisconfiguredError);
      await expect(wrong.addUser(newUser())).rejects.toBeInstanceOf(VpnMisconfiguredError);
    });

    it('reports a wrong namespace (or credentials) as misconfiguration', async () => {
      const other: XrayNamespace = target.name.includes('(xray)') ? 'v2ray.core' : 'xray';
      const wrong = run.provider({ namespace: other });
      await expect(wrong.addUser(newUser())).rejects.toBeInstanceOf(VpnMisconfiguredError);
    });

    it('reports an unreachable core as unavailable within the deadline', async () => {
      const closed = run.provider({ address: `127.0.0.1:${await freePort()}` });
      const t0 = performance.now();
      await expect(closed.addUser(newUser())).rejects.toBeInstanceOf(VpnUnavailableError);
      expect(performance.now() - t0).toBeLessThan(2_500);
    });
  });
}
