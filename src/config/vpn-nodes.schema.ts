import { z } from 'zod';

const nodeStates = ['active', 'draining', 'disabled'] as const;
export type VpnNodeState = (typeof nodeStates)[number];

const tag = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'tags are short lower-case words' });
export const nodeTags = z.array(tag);

/** Every key but `code` defaults to the single-core variable of the same meaning. */
export const vpnNodeEntrySchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'must be a short lower-case code' }),
  name: z.string().min(1).max(64).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, { error: 'must be a 2-letter ISO country code' })
    .transform((c) => c.toUpperCase())
    .optional(),
  provider: z.enum(['xray-grpc', 'http-agent']).optional(),
  apiAddress: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, {
      error: 'must be host:port of the API inbound',
    })
    .optional(),
  inboundTag: z.string().min(1).optional(),
  namespace: z.enum(['xray', 'v2ray.core']).optional(),
  agentUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  agentToken: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  host: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP' })
    .optional(),
  port: z.number().int().min(1).max(65535).optional(),
  security: z.enum(['none', 'tls', 'reality']).optional(),
  sni: z.string().min(1).optional(),
  realityPublicKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be the x25519 public key' })
    .optional(),
  realityShortId: z
    .string()
    .regex(/^[0-9a-f]{0,16}$/, { error: 'must be up to 16 hex digits' })
    .optional(),
  flow: z.enum(['xtls-rprx-vision']).optional(),
  fingerprint: z
    .string()
    .regex(/^[a-z0-9]+$/)
    .optional(),
  transport: z.enum(['tcp', 'ws', 'grpc']).optional(),
  path: z.string().min(1).optional(),
  tags: nodeTags.optional(),
  capacity: z.number().int().min(1).optional(),
  state: z.enum(nodeStates).optional(),
});
export type VpnNodeEntry = z.output<typeof vpnNodeEntrySchema>;

export const vpnNodesJson = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of nodes' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(vpnNodeEntrySchema)
      .min(1)
      .refine((ns) => new Set(ns.map((n) => n.code)).size === ns.length, {
        error: 'node codes must be unique',
      }),
  );

export interface VpnNodeConfig {
  code: string;
  name: string;
  country: string | undefined;
  provider: 'xray-grpc' | 'http-agent';
  apiAddress: string;
  inboundTag: string;
  namespace: 'xray' | 'v2ray.core';
  agentUrl: string | undefined;
  agentToken: string | undefined;
  host: string | undefined;
  port: number;
  security: 'none' | 'tls' | 'reality';
  sni: string | undefined;
  realityPublicKey: string | undefined;
  realityShortId: string | undefined;
  flow: 'xtls-rprx-vision' | undefined;
  fingerprint: string;
  transport: 'tcp' | 'ws' | 'grpc';
  path: string | undefined;
  tags: string[];
  capacity: number | undefined;
  state: VpnNodeState;
}

export interface SingleCoreEnv {
  VPN_PROVIDER: 'xray-grpc' | 'http-agent';
  XRAY_API_ADDRESS: string;
  XRAY_INBOUND_TAG: string;
  XRAY_PROTO_NAMESPACE: 'xray' | 'v2ray.core';
  VPN_AGENT_URL?: string;
  VPN_AGENT_TOKEN?: string;
  VPN_PUBLIC_HOST?: string;
  VPN_PUBLIC_PORT: number;
  VPN_SECURITY: 'none' | 'tls' | 'reality';
  VPN_SNI?: string;
  VPN_REALITY_PUBLIC_KEY?: string;
  VPN_REALITY_SHORT_ID?: string;
  VPN_FLOW?: 'xtls-rprx-vision';
  VPN_FINGERPRINT: string;
  VPN_TRANSPORT: 'tcp' | 'ws' | 'grpc';
  VPN_TRANSPORT_PATH?: string;
  VPN_LINK_LABEL: string;
}

export const DEFAULT_NODE_CODE = 'default';

export function resolveVpnNodes(entries: VpnNodeEntry[] | undefined, e: SingleCoreEnv): VpnNodeConfig[] {
  return (entries ?? [{ code: DEFAULT_NODE_CODE }]).map((n) => ({
    code: n.code,
    name: n.name ?? (entries ? n.code : e.VPN_LINK_LABEL),
    country: n.country,
    provider: n.provider ?? e.VPN_PROVIDER,
    apiAddress: n.apiAddress ?? e.XRAY_API_ADDRESS,
    inboundTag: n.inboundTag ?? e.XRAY_INBOUND_TAG,
    namespace: n.namespace ?? e.XRAY_PROTO_NAMESPACE,
    agentUrl: n.agentUrl ?? e.VPN_AGENT_URL,
    agentToken: n.agentToken ?? e.VPN_AGENT_TOKEN,
    host: n.host ?? e.VPN_PUBLIC_HOST,
    port: n.port ?? e.VPN_PUBLIC_PORT,
    security: n.security ?? e.VPN_SECURITY,
    sni: n.sni ?? e.VPN_SNI,
    realityPublicKey: n.realityPublicKey ?? e.VPN_REALITY_PUBLIC_KEY,
    realityShortId: n.realityShortId ?? e.VPN_REALITY_SHORT_ID,
    flow: n.flow ?? e.VPN_FLOW,
    fingerprint: n.fingerprint ?? e.VPN_FINGERPRINT,
    transport: n.transport ?? e.VPN_TRANSPORT,
    path: n.path ?? e.VPN_TRANSPORT_PATH,
    tags: n.tags ?? [],
    capacity: n.capacity,
    state: n.state ?? 'active',
  }));
}

export function vpnNodeProblems(nodes: VpnNodeConfig[]): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  nodes.forEach((n, i) => {
    const need = (cond: boolean, key: keyof VpnNodeConfig, why: string) => {
      if (cond && n[key] === undefined)
        out.push([['VPN_NODES', i, key], `node ${n.code}: is required ${why}`]);
    };
    need(n.provider === 'http-agent', 'agentUrl', 'when provider is http-agent');
    need(n.provider === 'http-agent', 'agentToken', 'when provider is http-agent');
    need(n.security === 'reality', 'realityPublicKey', 'when security is reality');
    need(n.security === 'reality', 'sni', 'when security is reality');
  });
  return out;
}
