import type { AppConfig } from '../config/app-config';

export type LinkSettings = AppConfig['vpn']['link'];

/** The Xray VLESS share-link format v2rayN, v2rayNG, Hiddify, Streisand and NekoBox import. */
export function buildVlessLink(s: LinkSettings & { host: string }, uuid: string, label = s.label): string {
  const q = new URLSearchParams({ encryption: 'none', security: s.security, type: s.transport });
  if (s.security !== 'none') {
    if (s.sni) q.set('sni', s.sni);
    q.set('fp', s.fingerprint);
  }
  if (s.security === 'reality') {
    q.set('pbk', s.realityPublicKey ?? '');
    if (s.realityShortId) q.set('sid', s.realityShortId);
  }
  if (s.flow && s.transport === 'tcp') q.set('flow', s.flow);
  if (s.transport === 'tcp') q.set('headerType', 'none');
  if (s.transport === 'ws') {
    q.set('path', s.transportPath ?? '/');
    if (s.sni) q.set('host', s.sni);
  }
  if (s.transport === 'grpc') {
    q.set('serviceName', s.transportPath ?? '');
    q.set('mode', 'gun');
  }
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  // URLSearchParams encodes spaces as "+", which some clients keep literally: use %20.
  const query = q.toString().replace(/\+/g, '%20');
  return `vless://${uuid}@${host}:${s.port}?${query}#${encodeURIComponent(label)}`;
}
