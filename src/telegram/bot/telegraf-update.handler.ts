import { Injectable, Logger } from '@nestjs/common';
import { InjectBot } from 'nestjs-telegraf';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { TelegramSenderService } from '../../bot-api/telegram-sender.service';
import { UpdateHandler } from '../transport/update-handler';
import { toLang } from './views/i18n';
import { apologyMessage } from './views/menu.view';

type CallApi = Telegraf['telegram']['callApi'];

/** Every Bot API call telegraf makes goes through the sender; errors reach the dispatcher, not bot.catch. */
@Injectable()
export class TelegrafUpdateHandler extends UpdateHandler {
  private readonly logger = new Logger('TelegrafUpdateHandler');

  constructor(
    @InjectBot() private readonly bot: Telegraf,
    private readonly sender: TelegramSenderService,
  ) {
    super();
    const callApi: CallApi = ((
      method: string,
      payload: Record<string, unknown>,
      opts?: { signal?: AbortSignal },
    ) => sender.send(method, unwrapFiles(payload ?? {}), { signal: opts?.signal })) as CallApi;
    bot.telegram.callApi = callApi;
    // telegraf makes a fresh client per update, bypassing the sender: every context gets bot.telegram.
    Object.assign(bot.context, { telegram: bot.telegram });
    bot.catch((err) => {
      throw err;
    });
    const stop = bot.stop.bind(bot);
    bot.stop = (reason?: string) => {
      try {
        stop(reason);
      } catch {
        this.logger.debug('bot.stop(): bot was never launched (transports are ours)');
      }
    };
  }

  async handle(update: Record<string, unknown>): Promise<void> {
    // telegraf memoises a rejected getMe, failing all later updates: fetched here, it is retried.
    this.bot.botInfo ??= await this.bot.telegram.getMe();
    await this.bot.handleUpdate(update as unknown as Update);
  }

  /** Retries spent on an outside failure: apologise once, in the language Telegram reports for the user. */
  override async giveUp(update: Record<string, unknown>, chatId: number | null): Promise<void> {
    if (chatId === null || update.pre_checkout_query) return; // Telegram answers an unanswered pre-checkout itself
    const from = (
      Object.values(update).find((v) => typeof v === 'object' && v && 'from' in v) as
        { from?: { language_code?: string } } | undefined
    )?.from;
    const apology = apologyMessage(toLang(from?.language_code));
    await this.sender.sendMessage(chatId, apology.text, apology.extra, { maxWaitMs: 10_000 });
  }
}

/** telegraf passes files as `{ source: Buffer, filename }`; the API client sends Buffers as multipart. */
function unwrapFiles(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    const source = (v as { source?: unknown } | null)?.source;
    out[k] = Buffer.isBuffer(source) ? source : v;
  }
  return out;
}
