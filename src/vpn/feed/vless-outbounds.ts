import { buildVlessLink, type LinkSettings } from '../vless-link';

export interface VlessEndpoint {
  name: string;
  uuid: string;
  settings: LinkSettings & { host: string };
}

export const vlessLink = (e: VlessEndpoint): string => buildVlessLink(e.settings, e.uuid, e.name);

const vision = (s: VlessEndpoint['settings']) => (s.flow && s.transport === 'tcp' ? s.flow : undefined);

/** A Clash.Meta / Mihomo `proxies` entry (the Meta core is needed for VLESS and REALITY). */
export function clashProxy(e: VlessEndpoint): Record<string, unknown> {
  const s = e.settings;
  const p: Record<string, unknown> = {
    name: e.name,
    type: 'vless',
    server: s.host,
    port: s.port,
    uuid: e.uuid,
    network: s.transport,
    udp: true,
    tls: s.security !== 'none',
  };
  const flow = vision(s);
  if (flow) p.flow = flow;
  if (s.security !== 'none') {
    if (s.sni) p.servername = s.sni;
    p['client-fingerprint'] = s.fingerprint;
  }
  if (s.security === 'reality') {
    p['reality-opts'] = { 'public-key': s.realityPublicKey ?? '', 'short-id': s.realityShortId ?? '' };
  }
  if (s.transport === 'ws') {
    p['ws-opts'] = { path: s.transportPath ?? '/', ...(s.sni ? { headers: { Host: s.sni } } : {}) };
  }
  if (s.transport === 'grpc') p['grpc-opts'] = { 'grpc-service-name': s.transportPath ?? '' };
  return p;
}

export function singboxOutbound(e: VlessEndpoint): Record<string, unknown> {
  const s = e.settings;
  const o: Record<string, unknown> = {
    type: 'vless',
    tag: e.name,
    server: s.host,
    server_port: s.port,
    uuid: e.uuid,
    packet_encoding: 'xudp',
  };
  const flow = vision(s);
  if (flow) o.flow = flow;
  if (s.security !== 'none') {
    o.tls = {
      enabled: true,
      ...(s.sni ? { server_name: s.sni } : {}),
      utls: { enabled: true, fingerprint: s.fingerprint },
      ...(s.security === 'reality'
        ? {
            reality: {
              enabled: true,
              public_key: s.realityPublicKey ?? '',
              short_id: s.realityShortId ?? '',
            },
          }
        : {}),
    };
  }
  if (s.transport === 'ws') {
    o.transport = {
      type: 'ws',
      path: s.transportPath ?? '/',
      ...(s.sni ? { headers: { Host: s.sni } } : {}),
    };
  }
  if (s.transport === 'grpc') o.transport = { type: 'grpc', service_name: s.transportPath ?? '' };
  return o;
}

/** Clients key proxies by name: a second node with the same label becomes "label (2)". */
export function uniqueNames<T extends { name: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.map((it) => {
    let name = it.name;
    for (let i = 2; seen.has(name); i++) name = `${it.name} (${i})`;
    seen.add(name);
    return { ...it, name };
  });
}
