import { Injectable } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AppConfig } from '../config/app-config';
import type { VpnNodeConfig } from '../config/vpn-nodes.schema';
import type { VlessEndpoint } from './feed/vless-outbounds';
import { buildVlessLink } from './vless-link';
import { nodeTagsFor, tagsAllow } from './vpn-desired-state.repository';
import { VpnNodesRepository } from './vpn-nodes.repository';
import { VpnSubscriptionsRepository } from './vpn-subscriptions.repository';
import { VpnMisconfiguredError } from './vpn.errors';

export interface UserKey {
  link: string;
  subscriptionUrl?: string;
  expiresAt: Date;
}

export interface NodeLink {
  node: string;
  label: string;
  link: string;
  /** What the link is built from: the Clash and sing-box renderers use the same object. */
  endpoint: VlessEndpoint;
}

@Injectable()
export class VpnKeysService {
  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly nodes: VpnNodesRepository,
  ) {}

  /** Rendered from live node rows so host changes reach everyone; least-loaded first. */
  async linksFor(sub: {
    id: string;
    vpnUuid: string;
    isTrial?: boolean;
    planCode?: string | null;
  }): Promise<NodeLink[]> {
    const states = new Map((await this.nodes.findAll()).map((n) => [n.code, n.state]));
    const tags = nodeTagsFor(this.config, sub);
    const usable = this.config.vpn.nodes.filter((n) => n.host && states.get(n.code) === 'active');
    const allowed = usable.filter((n) => tagsAllow(tags, n.tags));
    const capped = this.config.vpn.nodes.some((n) => n.capacity);
    const loads = capped ? await this.nodes.loads() : new Map<string, number>();
    const placed = capped ? await this.nodes.placedOn(sub.id, sub.vpnUuid) : new Set<string>();
    const fill = (n: VpnNodeConfig) => (n.capacity ? (loads.get(n.code) ?? 0) / n.capacity : 0);
    const chosen = (allowed.length ? allowed : usable)
      .filter((n) => !n.capacity || placed.has(n.code))
      .map((n, i) => ({ n, i }))
      .sort((a, b) => fill(a.n) - fill(b.n) || a.i - b.i)
      .map(({ n }) => n);
    const single = this.config.vpn.nodes.length === 1;
    return chosen.map((n) => {
      const label = single ? this.config.vpn.link.label : nodeLabel(n);
      const endpoint: VlessEndpoint = { name: label, uuid: sub.vpnUuid, settings: linkSettings(n, label) };
      return { node: n.code, label, link: buildVlessLink(endpoint.settings, sub.vpnUuid, label), endpoint };
    });
  }

  /** Every node's link of the user's active subscription (one QR each), or undefined without one. */
  async linksForUser(userId: number): Promise<NodeLink[] | undefined> {
    const sub = await this.subscriptions.byUser(userId);
    if (!sub?.active) return undefined;
    return this.linksFor(sub);
  }

  /**
   * The key as the "key ready" notice carries it, from one read of the subscription: every node's link (the
   * first, or the default link when no node is usable, as `link`) and the subscription URL.
   */
  async noticeKeyForUser(
    userId: number,
  ): Promise<{ link?: string; links: NodeLink[]; subscriptionUrl?: string } | undefined> {
    const sub = await this.subscriptions.byUser(userId);
    if (!sub?.active) return undefined;
    const links = await this.linksFor(sub);
    return {
      link: links[0]?.link ?? this.linkIfConfigured(sub.vpnUuid),
      links,
      subscriptionUrl: this.subscriptionUrl(sub.subToken),
    };
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
