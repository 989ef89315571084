import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BotApiClient } from '../../bot-api/bot-api.client';
import { TelegramApiError } from '../../bot-api/bot-api.errors';
import { AppConfig } from '../../config/app-config';
import { SignalRegistry, type ChannelGateStatus } from '../../signals/signal-registry';

const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;
/** A failed set-up check is repeated at most this often (on the next trial request). */
const RECHECK_MS = 30_000;
const MEMBER = new Set(['creator', 'administrator', 'member']);

/** Membership could not be checked (the bot is not an admin of the channel, or Telegram did not answer). */
export class ChannelCheckUnavailableError extends Error {
  override name = 'ChannelCheckUnavailableError';
}

/** getChatMember answers only channel admins: a misconfiguration is reported, costing trials, not the bot. */
@Injectable()
export class ChannelGateService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ChannelGate');
  readonly channel: string | undefined;
  private readonly botId: number;
  private readonly cache = new Map<number, { member: boolean; at: number }>();
  private state: ChannelGateStatus;
  private joinUrl?: string;
  private lastVerifyAt = 0;

  constructor(
    config: AppConfig,
    private readonly api: BotApiClient,
    registry: SignalRegistry,
  ) {
    this.channel = config.bot.requiredChannel;
    this.botId = Number(config.telegram.botToken.split(':')[0]);
    this.state = { channel: this.channel ?? '', state: 'checking' };
    if (this.channel?.startsWith('@')) this.joinUrl = `https://t.me/${this.channel.slice(1)}`;
    if (this.channel) registry.register('telegram.channel', { status: () => ({ ...this.state }) });
  }

  get enabled(): boolean {
    return this.channel !== undefined;
  }

  /** The channel's public link (or invite link, for a channel given by id), when there is one. */
  get link(): string | undefined {
    return this.joinUrl;
  }

  onApplicationBootstrap(): void {
    // Not awaited: start-up does not wait on Telegram; the outcome is logged and shown on /health/ready.
    if (this.channel) void this.verify();
  }

  async isMember(userId: number, o: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    const channel = this.channel!;
    const hit = this.cache.get(userId);
    if (!o.fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.member;
    if (this.state.state !== 'ok' && Date.now() - this.lastVerifyAt > RECHECK_MS) await this.verify();
    let member: boolean;
    try {
      const m = await this.api.call<{ status: string; is_member?: boolean }>(
        'getChatMember',
        { chat_id: channel, user_id: userId },
        { signal: o.signal },
      );
      member = MEMBER.has(m.status) || (m.status === 'restricted' && m.is_member === true);
    } catch (err) {
      if (err instanceof TelegramApiError && err.code === 400) this.report('not_admin', err.message);
      throw new ChannelCheckUnavailableError(`membership in ${channel}: ${(err as Error).message}`);
    }
    // An answer proves the bot can read the channel's members (it was made an admin since the last check).
    if (this.state.state !== 'ok') this.report('ok');
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, { member, at: Date.now() });
    return member;
  }

  /** getChat (the channel exists and the bot sees it) and getChatMember on the bot itself (an admin). */
  async verify(): Promise<ChannelGateStatus> {
    const channel = this.channel!;
    this.lastVerifyAt = Date.now();
    try {
      const chat = await this.api.call<{ invite_link?: string; username?: string }>('getChat', {
        chat_id: channel,
      });
      if (!this.joinUrl) this.joinUrl = chat.username ? `https://t.me/${chat.username}` : chat.invite_link;
      const self = await this.api.call<{ status: string }>('getChatMember', {
        chat_id: channel,
        user_id: this.botId,
      });
      if (self.status === 'administrator' || self.status === 'creator') this.report('ok');
      else this.report('not_admin', `the bot is "${self.status}" in ${channel}, not an admin`);
    } catch (err) {
      this.report(err instanceof TelegramApiError ? 'not_admin' : 'unreachable', (err as Error).message);
    }
    return { ...this.state };
  }

  private report(state: ChannelGateStatus['state'], error?: string): void {
    const changed = state !== this.state.state;
    this.state = { channel: this.channel!, state, error, checkedAt: new Date().toISOString() };
    if (!changed) return;
    if (state === 'ok')
      this.logger.log(`REQUIRED_CHANNEL ${this.channel}: the bot is an admin; trials are gated`);
    else
      this.logger.error(
        `REQUIRED_CHANNEL ${this.channel}: membership cannot be checked (${error}); make the bot an admin of the channel — until then no trial is given`,
      );
  }
}
