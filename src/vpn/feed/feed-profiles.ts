import { stringify } from 'yaml';
import { clashProxy, singboxOutbound, vlessLink, type VlessEndpoint } from './vless-outbounds';

/** Base64 of the newline-separated vless:// links; an empty list is an empty (valid) body. */
export function base64Profile(endpoints: VlessEndpoint[]): string {
  return Buffer.from(endpoints.map(vlessLink).join('\n')).toString('base64');
}

/** A group may not be empty (DIRECT without nodes); one MATCH rule so no rule set is needed. */
export function clashProfile(endpoints: VlessEndpoint[], groupName: string): string {
  const proxies = endpoints.map(clashProxy);
  const names = proxies.map((p) => p.name as string);
  const groups = [{ name: groupName, type: 'select', proxies: names.length ? names : ['DIRECT'] }];
  return stringify({
    'mixed-port': 7890,
    'allow-lan': false,
    mode: 'rule',
    'log-level': 'warning',
    proxies,
    'proxy-groups': groups,
    rules: [`MATCH,${groupName}`],
  });
}

/** Startable as is by the sing-box GUI apps (TUN + mixed inbound, 1.11+ rule actions). */
export function singboxProfile(endpoints: VlessEndpoint[]): string {
  const outbounds = endpoints.map(singboxOutbound);
  const tags = outbounds.map((o) => o.tag as string);
  const config = {
    log: { level: 'warn' },
    inbounds: [
      { type: 'tun', tag: 'tun-in', address: ['172.19.0.1/30'], auto_route: true, strict_route: true },
      { type: 'mixed', tag: 'mixed-in', listen: '127.0.0.1', listen_port: 2080 },
    ],
    outbounds: [
      { type: 'selector', tag: 'proxy', outbounds: tags.length ? tags : ['direct'] },
      ...outbounds,
      { type: 'direct', tag: 'direct' },
    ],
    route: {
      auto_detect_interface: true,
      rules: [{ action: 'sniff' }, { protocol: 'dns', action: 'hijack-dns' }],
      final: 'proxy',
    },
  };
  return JSON.stringify(config, null, 2);
}
