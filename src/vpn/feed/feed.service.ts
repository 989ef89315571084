import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AppConfig } from '../../config/app-config';
import { SignalsService } from '../../signals/signals.service';
import { deviceFromHeaders } from '../devices/device-headers';
import { DevicesRepository } from '../devices/devices.repository';
import { VpnKeysService } from '../vpn-keys.service';
import { VpnSubscriptionsRepository, type KeySubscription } from '../vpn-subscriptions.repository';
import { detectFeedFormat, type FeedFormat } from './feed-format';
import { feedHeaders } from './feed-headers';
import { feedPageCsp, renderFeedPage } from './feed-page';
import { base64Profile, clashProfile, singboxProfile } from './feed-profiles';
import { feedLang, feedTexts, type FeedBlock } from './feed-texts';
import { SubscriptionUsage, type Usage } from './subscription-usage';
import { uniqueNames, vlessLink, type VlessEndpoint } from './vless-outbounds';

/** Tokens are 24 random bytes in base64url (subscriptions/grant-rules.ts newSubToken). */
const SUB_TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export interface FeedRequest {
  token: string;
  format?: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface FeedResponse {
  format: FeedFormat;
  headers: Record<string, string>;
  body: string;
}

const header = (h: FeedRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Bad input throws before any read or write; an unknown token is undefined (the controller's 404). */
@Injectable()
export class FeedService {
  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly keys: VpnKeysService,
    private readonly devices: DevicesRepository,
    private readonly usage: SubscriptionUsage,
    private readonly signals: SignalsService,
  ) {}

  async feed(req: FeedRequest): Promise<FeedResponse | undefined> {
    const format = detectFeedFormat({
      format: req.format,
      userAgent: header(req.headers, 'user-agent'),
      accept: header(req.headers, 'accept'),
    });
    const device = deviceFromHeaders(req.headers);
    if (!SUB_TOKEN_RE.test(req.token)) return undefined;
    const sub = await this.subscriptions.byToken(req.token);
    if (!sub) return undefined;
    const usage = await this.usage.usageOf(sub.id);
    let block = blockOf(sub, usage);
    let refused = false;
    if (!block && device) {
      const reg = await this.devices.register(sub.id, device, sub.deviceLimit);
      refused = !reg.allowed;
      if (refused) block = 'device_limit';
    }
    const endpoints = block ? [] : uniqueNames((await this.keys.linksFor(sub)).map((l) => l.endpoint));
    const lang = feedLang(header(req.headers, 'accept-language'));
    const title = this.config.vpn.link.label;
    const feed = this.config.vpn.feed;
    const pageUrl = this.keys.subscriptionUrl(sub.subToken);
    const headers = feedHeaders({
      format,
      title,
      expiresAt: new Date(sub.expiresAt),
      usage,
      updateHours: this.config.vpn.subscriptionUpdateHours,
      block,
      announce: block ? feedTexts(lang).blocked(block) : feed.announce,
      pageUrl,
      supportUrl: feed.supportUrl,
      hwid: sub.deviceLimit !== null && device ? { refused } : undefined,
    });
    this.signals.record('vpn.feed.served', { format, blocked: block ?? 'none' });
    if (format !== 'html') return { format, headers, body: this.profile(format, endpoints, title) };
    const nonce = randomBytes(16).toString('base64');
    headers['content-security-policy'] = feedPageCsp(nonce);
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
    const body = renderFeedPage({
      lang,
      title,
      expiresAt: new Date(sub.expiresAt),
      block,
      usage,
      devices:
        sub.deviceLimit !== null
          ? { active: (await this.devices.list(sub.id)).length, limit: sub.deviceLimit }
          : undefined,
      subscriptionUrl: pageUrl ?? `/sub/${sub.subToken}`,
      links: await this.pageLinks(endpoints),
      botUrl: feed.botUrl,
      supportUrl: feed.supportUrl,
      nonce,
    });
    return { format, headers, body };
  }

  private profile(format: Exclude<FeedFormat, 'html'>, endpoints: VlessEndpoint[], title: string): string {
    if (format === 'clash') return clashProfile(endpoints, title);
    if (format === 'singbox') return singboxProfile(endpoints);
    return base64Profile(endpoints);
  }

  private async pageLinks(endpoints: VlessEndpoint[]) {
    return Promise.all(
      endpoints.map(async (e) => {
        const link = vlessLink(e);
        const qrDataUrl = await QRCode.toDataURL(link, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
        return { name: e.name, link, qrDataUrl };
      }),
    );
  }
}

function blockOf(sub: KeySubscription, usage: Usage): FeedBlock | undefined {
  if (sub.banned) return 'banned';
  if (sub.status === 'revoked') return 'revoked';
  if (!sub.active) return 'expired';
  if (usage.overLimit) return 'over_limit';
  return undefined;
}
