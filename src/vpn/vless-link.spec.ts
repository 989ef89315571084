import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { buildVlessLink } from './vless-link';

const uuid = '0b6f1c9e-6f3a-4c56-9a8e-2f5d3f2e7a10';
const linkFor = (env: Record<string, string>) => {
  const s = AppConfig.fromEnv({ BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345', ...env }).vpn.link;
  return new URL(buildVlessLink({ ...s, host: s.host ?? 'vpn.example.com' }, uuid));
};

describe('buildVlessLink', () => {
  it('builds a plain TCP link with the label as fragment', () => {
    const url = linkFor({ VPN_PUBLIC_PORT: '8443', VPN_LINK_LABEL: 'My VPN' });
    expect(url.href).toBe(
      `vless://${uuid}@vpn.example.com:8443?encryption=none&security=none&type=tcp&headerType=none#My%20VPN`,
    );
  });

  it('carries REALITY parameters and the vision flow', () => {
    const url = linkFor({
      VPN_SECURITY: 'reality',
      VPN_SNI: 'www.microsoft.com',
      VPN_REALITY_PUBLIC_KEY: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
      VPN_REALITY_SHORT_ID: '6ba85179e30d4fc2',
      VPN_FLOW: 'xtls-rprx-vision',
    });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      encryption: 'none',
      security: 'reality',
      type: 'tcp',
      sni: 'www.microsoft.com',
      fp: 'chrome',
      pbk: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
      sid: '6ba85179e30d4fc2',
      flow: 'xtls-rprx-vision',
      headerType: 'none',
    });
  });

  it('uses path for WebSocket and serviceName for gRPC transports, never a flow', () => {
    const ws = linkFor({
      VPN_SECURITY: 'tls',
      VPN_SNI: 'vpn.example.com',
      VPN_TRANSPORT: 'ws',
      VPN_TRANSPORT_PATH: '/ws',
      VPN_FLOW: 'xtls-rprx-vision',
    });
    expect(ws.searchParams.get('path')).toBe('/ws');
    expect(ws.searchParams.get('host')).toBe('vpn.example.com');
    expect(ws.searchParams.has('flow')).toBe(false);
    const grpc = linkFor({ VPN_SECURITY: 'tls', VPN_TRANSPORT: 'grpc', VPN_TRANSPORT_PATH: 'vless-grpc' });
    expect(grpc.searchParams.get('serviceName')).toBe('vless-grpc');
  });

  it('brackets an IPv6 host', () => {
    expect(linkFor({ VPN_PUBLIC_HOST: '2001:db8::1' }).host).toBe('[2001:db8::1]:443');
  });

  it('refuses REALITY without its public key, and the HTTP agent without URL and token', () => {
    expect(() => linkFor({ VPN_SECURITY: 'reality' })).toThrow(/VPN_REALITY_PUBLIC_KEY: is required/);
    expect(() => linkFor({ VPN_PROVIDER: 'http-agent' })).toThrow(
      /VPN_AGENT_URL: is required[\s\S]*VPN_AGENT_TOKEN: is required/,
    );
  });
});
