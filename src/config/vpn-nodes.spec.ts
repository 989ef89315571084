import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigError } from './app-config';

const valid = { BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    AppConfig.fromEnv({ ...valid, ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('VPN nodes configuration', () => {
  it('builds one node from the single-core variables when VPN_NODES is not set', () => {
    const c = AppConfig.fromEnv({
      ...valid,
      XRAY_API_ADDRESS: '10.0.0.5:10085',
      XRAY_PROTO_NAMESPACE: 'v2ray.core',
      VPN_PUBLIC_HOST: 'vpn.example.com',
      VPN_PUBLIC_PORT: '8443',
      VPN_LINK_LABEL: 'My VPN',
    });
    expect(c.vpn.nodes).toEqual([
      expect.objectContaining({
        code: 'default',
        name: 'My VPN',
        provider: 'xray-grpc',
        apiAddress: '10.0.0.5:10085',
        namespace: 'v2ray.core',
        inboundTag: 'vless-in',
        host: 'vpn.example.com',
        port: 8443,
        tags: [],
        state: 'active',
      }),
    ]);
  });

  it('fills every key a node entry leaves out from the variable of the same meaning', () => {
    const c = AppConfig.fromEnv({
      ...valid,
      XRAY_INBOUND_TAG: 'in-1',
      VPN_SECURITY: 'tls',
      VPN_SNI: 'sni.example.com',
      VPN_NODES: JSON.stringify([
        { code: 'nl-1', country: 'nl', host: 'nl.example.com', tags: ['trial'] },
        { code: 'de-1', name: 'Frankfurt', apiAddress: '10.0.0.7:10085', port: 2053, state: 'draining' },
      ]),
    });
    expect(c.vpn.nodes.map((n) => [n.code, n.name, n.country, n.inboundTag, n.security, n.sni])).toEqual([
      ['nl-1', 'nl-1', 'NL', 'in-1', 'tls', 'sni.example.com'],
      ['de-1', 'Frankfurt', undefined, 'in-1', 'tls', 'sni.example.com'],
    ]);
    expect(c.vpn.nodes[1]).toMatchObject({ apiAddress: '10.0.0.7:10085', port: 2053, state: 'draining' });
    expect(c.vpn.nodes[0].tags).toEqual(['trial']);
  });

  it('names every bad field of every node at once, with the node code', () => {
    const problems = problemsOf({
      VPN_NODES: JSON.stringify([
        { code: 'nl-1', port: 0, country: 'Netherlands' },
        { code: 'de-1', provider: 'panel', state: 'paused', tags: ['Not A Tag'], extra: 1 },
      ]),
    }).join('\n');
    for (const field of ['(nl-1).port', '(nl-1).country', '(de-1).provider', '(de-1).state', '(de-1).tags.0'])
      expect(problems).toContain(`VPN_NODES[${field.startsWith('(nl') ? 0 : 1}] ${field}`);
    expect(problems).toMatch(/VPN_NODES\[1\] \(de-1\).*extra/);
  });

  it('checks each node on its own: an http-agent node needs its URL and token, a REALITY node its key', () => {
    const problems = problemsOf({
      VPN_NODES: JSON.stringify([
        { code: 'a', provider: 'http-agent', agentUrl: 'http://10.0.0.1:8080' },
        { code: 'b', security: 'reality', sni: 'x.example.com' },
      ]),
    });
    expect(problems).toEqual([
      'VPN_NODES[0] (a).agentToken: node a: is required when provider is http-agent',
      'VPN_NODES[1] (b).realityPublicKey: node b: is required when security is reality',
    ]);
  });

  it('refuses duplicate codes, an empty list and text that is not JSON', () => {
    expect(problemsOf({ VPN_NODES: '[{"code":"a"},{"code":"a"}]' }).join()).toMatch(
      /node codes must be unique/,
    );
    expect(problemsOf({ VPN_NODES: '[]' }).join()).toMatch(/VPN_NODES/);
    expect(problemsOf({ VPN_NODES: '{nodes' }).join()).toMatch(/VPN_NODES: must be a JSON array of nodes/);
  });

  it('reads the list from VPN_NODES_FILE, and says so when the file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodes-'));
    const file = join(dir, 'nodes.json');
    writeFileSync(file, JSON.stringify([{ code: 'fi-1', host: 'fi.example.com' }]));
    expect(AppConfig.fromEnv({ ...valid, VPN_NODES_FILE: file }).vpn.nodes.map((n) => n.code)).toEqual([
      'fi-1',
    ]);
    expect(problemsOf({ VPN_NODES_FILE: join(dir, 'nope.json') })).toEqual([
      `VPN_NODES_FILE: cannot read ${join(dir, 'nope.json')}: ENOENT`,
    ]);
  });

  it('lets plans and the trial name the node tags they may use, all nodes by default', () => {
    const c = AppConfig.fromEnv({
      ...valid,
      TRIAL_NODE_TAGS: 'trial',
      PLANS: JSON.stringify([
        { code: '1m', days: 30, prices: { RUB: 100 } },
        { code: 'premium', days: 30, prices: { RUB: 500 }, nodeTags: ['premium', 'trial'] },
      ]),
    });
    expect(c.subscriptions.trialNodeTags).toEqual(['trial']);
    expect(c.subscriptions.plans.map((p) => p.nodeTags)).toEqual([undefined, ['premium', 'trial']]);
    expect(AppConfig.fromEnv(valid).subscriptions.trialNodeTags).toEqual([]);
  });

  it('masks VPN_NODES (it holds agent tokens) in the printable configuration', () => {
    const token = 'agent-token-0123456789';
    const c = AppConfig.fromEnv({
      ...valid,
      VPN_NODES: JSON.stringify([
        { code: 'a', provider: 'http-agent', agentUrl: 'http://a:1', agentToken: token },
      ]),
    });
    expect(JSON.stringify(c.redacted())).not.toContain(token);
  });
});
