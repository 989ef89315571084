import { Injectable } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AppConfig } from '../config/app-config';
import type { VpnNodeConfig } from '../config/vpn-nodes.schema';
import { buildVlessLink } from './vless-link';
import { nodeTagsFor, tagsAllow } from './vpn-desired-state.repository';
import { VpnNodesRepository } from './vpn-nodes.repository';
import { VpnSubscriptionsRepository, type KeySubscription } from './vpn-subscriptions.repository';
import { VpnMisconfiguredError } from './vpn.errors';

const SUB_TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export interface UserKey {
  link: string;
  subscriptionUrl?: string;
  expiresAt: Date;
}

export interface NodeLink {
  node: string;
  label: string;
  link: string;
}

export interface SubscriptionFeed {
  body: string;
  headers: Record<string, string>;
}

@Injectable()
export class VpnKeysService {
  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly nodes: VpnNodesRepository,
  ) {}

  /** Rendered from the node now, so a host or port change reaches everyone; least-loaded nodes first. */
  async linksFor(sub: { vpnUuid: string; isTrial?: boolean; planCode?: string | null }): Promise<NodeLink[]> {
    const states = new Map((await this.nodes.findAll()).map((n) => [n.code, n.state]));
    const tags = nodeTagsFor(this.config, sub);
    const usable = this.config.vpn.nodes.filter((n) => n.host && states.get(n.code) === 'active');
    const allowed = usable.filter((n) => tagsAllow(tags, n.tags));
    const chosen = (allowed.length ? allowed : usable)
      .map((n, i) => ({ n, i }))
      .sort((a, b) => (b.n.capacity ?? 0) - (a.n.capacity ?? 0) || a.i - b.i)
      .map(({ n }) => n);
    const single = this.config.vpn.nodes.length === 1;
    return chosen.map((n) => {
      const label = single ? this.config.vpn.link.label : nodeLabel(n);
      return { node: n.code, label, link: buildVlessLink(linkSettings(n, label), sub.vpnUuid, label) };
    });
  }

  async keyForUser(userId: number): Promise<UserKey | undefined> {
    const sub = await this.subscriptions.byUser(userId);
    if (!sub?.active) return undefined;
    return {
      link: this.link(sub.vpnUuid),
      subscriptionUrl: this.subscriptionUrl(sub.subToken),
      expiresAt: sub.expiresAt,
    };
  }

  link(uuid: string): string {
    const s = this.config.vpn.link;
    if (!s.host) throw new VpnMisconfiguredError('VPN_PUBLIC_HOST is not set: cannot build vless:// links');
    return buildVlessLink({ ...s, host: s.host }, uuid);
  }

  /** The vless:// link, or undefined when VPN_PUBLIC_HOST is not set (instead of failing). */
  linkIfConfigured(uuid: string): string | undefined {
    return this.config.vpn.link.host ? this.link(uuid) : undefined;
  }

  qrPng(text: string): Promise<Buffer> {
    return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
  }

  subscriptionUrl(token: string): string | undefined {
    const base = this.config.vpn.publicBaseUrl;
    return base ? `${base}/sub/${token}` : undefined;
  }

  async feed(token: string): Promise<SubscriptionFeed | undefined> {
    if (!SUB_TOKEN_RE.test(token)) return undefined;
    const sub = await this.subscriptions.byToken(token);
    if (!sub) return undefined;
    return { body: await this.feedBody(sub), headers: this.feedHeaders(sub) };
  }

  private async feedBody(sub: KeySubscription): Promise<string> {
    const links = sub.active ? (await this.linksFor(sub)).map((l) => l.link) : [];
    return Buffer.from(links.join('\n')).toString('base64');
  }

  private feedHeaders(sub: KeySubscription): Record<string, string> {
    const expire = Math.floor(new Date(sub.expiresAt).getTime() / 1000);
    return {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'subscription-userinfo': `upload=0; download=0; total=0; expire=${expire}`,
      'profile-title': `base64:${Buffer.from(this.config.vpn.link.label).toString('base64')}`,
      'profile-update-interval': String(this.config.vpn.subscriptionUpdateHours),
    };
  }
}

/** 🇳🇱 Amsterdam: the flag from the ISO country code (regional indicator letters), then the name. */
export function nodeLabel(n: Pick<VpnNodeConfig, 'country' | 'name'>): string {
  if (!n.country) return n.name;
  const flag = String.fromCodePoint(...[...n.country.toUpperCase()].map((c) => 0x1f1a5 + c.charCodeAt(0)));
  return `${flag} ${n.name}`;
}

function linkSettings(n: VpnNodeConfig, label: string) {
  return {
    host: n.host!,
    port: n.port,
    security: n.security,
    sni: n.sni,
    realityPublicKey: n.realityPublicKey,
    realityShortId: n.realityShortId,
    flow: n.flow,
    fingerprint: n.fingerprint,
    transport: n.transport,
    transportPath: n.path,
    label,
  };
}
