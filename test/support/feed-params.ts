import { parse as parseYaml } from 'yaml';
import { SubscriptionUsage, type Usage } from '../../src/vpn/feed/subscription-usage';
import { expect } from 'vitest';

/** One node's connection parameters, normalised so a vless:// link, a Clash proxy and a sing-box outbound compare. */
export interface NodeParams {
  name: string;
  uuid: string;
  server: string;
  port: number;
  security: 'none' | 'tls' | 'reality';
  sni?: string;
  fingerprint?: string;
  publicKey?: string;
  shortId?: string;
  flow?: string;
  network: string;
  path?: string;
  wsHost?: string;
}

const clean = (p: NodeParams): NodeParams =>
  Object.fromEntries(
    Object.entries(p).filter(([, v]) => v !== undefined && v !== ''),
  ) as unknown as NodeParams;

export function linkParams(link: string): NodeParams {
  const u = new URL(link);
  expect(u.protocol).toBe('vless:');
  const q = u.searchParams;
  const network = q.get('type')!;
  return clean({
    name: decodeURIComponent(u.hash.slice(1)),
    uuid: u.username,
    server: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port),
    security: q.get('security') as NodeParams['security'],
    sni: q.get('sni') ?? undefined,
    fingerprint: q.get('fp') ?? undefined,
    publicKey: q.get('pbk') ?? undefined,
    shortId: q.get('sid') ?? undefined,
    flow: q.get('flow') ?? undefined,
    network,
    path:
      (network === 'grpc' ? q.get('serviceName') : network === 'ws' ? q.get('path') : undefined) ?? undefined,
    wsHost: network === 'ws' ? (q.get('host') ?? undefined) : undefined,
  });
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function clashParams(p: Obj): NodeParams {
  expect(p.type).toBe('vless');
  return clean({
    name: p.name,
    uuid: p.uuid,
    server: p.server,
    port: p.port,
    security: p['reality-opts'] ? 'reality' : p.tls ? 'tls' : 'none',
    sni: p.servername,
    fingerprint: p['client-fingerprint'],
    publicKey: p['reality-opts']?.['public-key'],
    shortId: p['reality-opts']?.['short-id'],
    flow: p.flow,
    network: p.network,
    path: p['ws-opts']?.path ?? p['grpc-opts']?.['grpc-service-name'],
    wsHost: p['ws-opts']?.headers?.Host,
  });
}

export function singboxParams(o: Obj): NodeParams {
  expect(o.type).toBe('vless');
  return clean({
    name: o.tag,
    uuid: o.uuid,
    server: o.server,
    port: o.server_port,
    security: o.tls?.reality?.enabled ? 'reality' : o.tls?.enabled ? 'tls' : 'none',
    sni: o.tls?.server_name,
    fingerprint: o.tls?.utls?.fingerprint,
    publicKey: o.tls?.reality?.public_key,
    shortId: o.tls?.reality?.short_id,
    flow: o.flow,
    network: o.transport?.type ?? 'tcp',
    path: o.transport?.path ?? o.transport?.service_name,
    wsHost: o.transport?.headers?.Host,
  });
}

export const base64Links = (body: string): string[] => {
  const text = Buffer.from(body, 'base64').toString();
  return text ? text.split('\n') : [];
};

export const clashProxies = (body: string): Obj[] => (parseYaml(body) as Obj).proxies as Obj[];

export const singboxVless = (body: string): Obj[] =>
  ((JSON.parse(body) as Obj).outbounds as Obj[]).filter((o) => o.type === 'vless');

/** A fetch Response's headers as a plain object (lower-case names). */
export function headersOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => (out[name] = value));
  return out;
}

/** Usage as traffic accounting will report it, per subscription (unmetered unless a test sets it). */
export class SettableUsage extends SubscriptionUsage {
  readonly of = new Map<string, Usage>();
  usageOf(id: string): Promise<Usage> {
    return Promise.resolve(this.of.get(id) ?? { upload: 0, download: 0, total: null, overLimit: false });
  }
}
