import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XrayGrpcProvider } from '../../src/vpn/xray-grpc.provider';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';

interface CoreConfig {
  inbounds: {
    tag: string;
    listen?: string;
    port: number;
    streamSettings?: object;
    sniffing?: { destOverride: string[] };
  }[];
  routing: { domainStrategy?: string; rules: { port?: string; outboundTag: string }[] };
  [key: string]: unknown;
}

const shipped = JSON.parse(
  readFileSync(resolve(__dirname, '../../deploy/xray/config.json'), 'utf8'),
) as CoreConfig;
const SHIPPED_API_PORT = String(shipped.inbounds.find((i) => i.tag === 'api')!.port);

/**
 * The shipped core config with only what a loopback test must change: ports, listen addresses, no REALITY
 * (v2fly has none) nor quic sniffing. One rule is put in front to permit the test's own target, standing in for the public
 * internet, so that a refusal below cannot come from a tunnel that does not work at all.
 */
function adapted(ports: { vlessPort: number; apiPort: number }, permittedPort: number): CoreConfig {
  const c = structuredClone(shipped);
  for (const inbound of c.inbounds) {
    inbound.listen = '127.0.0.1';
    if (inbound.tag === 'api') inbound.port = ports.apiPort;
    else {
      inbound.port = ports.vlessPort;
      delete inbound.streamSettings;
      if (inbound.sniffing) inbound.sniffing.destOverride = ['http', 'tls']; // v2fly 4 cannot sniff quic
    }
  }
  c.routing.rules = [
    { type: 'field', ip: ['127.0.0.1/32'], port: String(permittedPort), outboundTag: 'direct' } as never,
    ...c.routing.rules.map((r) => (r.port === SHIPPED_API_PORT ? { ...r, port: String(ports.apiPort) } : r)),
  ];
  return c;
}

describe.runIf(v2rayAvailable())('shipped VPN core routing (real v2fly core)', () => {
  let core: V2rayCore;
  let permitted: Awaited<ReturnType<typeof startTargetServer>>;
  let backOffice: Awaited<ReturnType<typeof startTargetServer>>;
  let provider: XrayGrpcProvider;
  const uuid = randomUUID();

  beforeAll(async () => {
    permitted = await startTargetServer();
    backOffice = await startTargetServer();
    core = await startV2rayCore({
      targetPort: permitted.port,
      inboundTag: 'vless-in',
      config: (ports) => adapted(ports, permitted.port),
    });
    provider = new XrayGrpcProvider({
      address: core.apiAddress,
      inboundTag: core.inboundTag,
      namespace: 'v2ray.core',
      timeoutMs: 2_000,
      sentinelEmail: 'sentinel@vpn.local',
    });
    // The bot still reaches the API: its inbound is routed to the API, outside the users' rules.
    expect(await provider.addUser({ email: 'routing@vpn.local', uuid })).toBe('created');
  });

  afterAll(async () => {
    await provider?.close();
    await core?.stop();
    await permitted?.close();
    await backOffice?.close();
  });

  const through = (host: string, targetPort: number) =>
    vlessGet({ vlessPort: core.vlessPort, uuid, host, targetPort, timeoutMs: 3_000 }).catch(() => ({
      accepted: false,
      body: 'timed out',
    }));

  it('uses IPIfNonMatch so a destination given as a name meets the IP rules', () => {
    expect(shipped.routing.domainStrategy).toBe('IPIfNonMatch');
    expect(shipped.inbounds.find((i) => i.tag === 'api')!.listen).not.toBe('0.0.0.0');
  });

  it('lets a VPN user reach a permitted destination through the tunnel', async () => {
    expect((await through('127.0.0.1', permitted.port)).accepted).toBe(true);
  });

  it('keeps a VPN user away from the core API by 127.0.0.1 and by localhost', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await through(host, Number(core.apiAddress.split(':')[1]));
      // Nothing comes back: a reached gRPC server would answer the HTTP/1.1 request with its own bytes.
      expect(r, host).toEqual({ accepted: false, body: '' });
    }
  });

  it('keeps a VPN user away from another local service by 127.0.0.1 and by localhost', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      expect(await through(host, backOffice.port), host).toEqual({ accepted: false, body: '' });
    }
  });
});
