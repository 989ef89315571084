export interface SendRuleOptions {
  limits?: { perChatPerSecond: number; globalPerSecond: number };
  rejectUnmodifiedEdits?: boolean;
}

export class FakeSendRules {
  private readonly sendTimes = new Map<string, number[]>();
  private readonly editedContent = new Map<string, string>();

  constructor(private readonly opts: SendRuleOptions) {}

  retryAfter(method: string, params: Record<string, unknown>): number {
    if (!this.opts.limits || !/^send|^edit|^copy|^forward/.test(method)) return 0;
    const chat = String(params.chat_id);
    const now = Date.now();
    const { perChatPerSecond, globalPerSecond } = this.opts.limits;
    const recent = (key: string) => (this.sendTimes.get(key) ?? []).filter((t) => now - t < 1000);
    const chatTimes = recent(chat);
    const all = recent('*');
    if (chatTimes.length >= perChatPerSecond || all.length >= globalPerSecond) return 1;
    this.sendTimes.set(chat, [...chatTimes, now]);
    this.sendTimes.set('*', [...all, now]);
    return 0;
  }

  refusal(
    method: string,
    params: Record<string, unknown>,
    sent: { method: string; params: Record<string, unknown> }[],
  ): string | undefined {
    if (method === 'editMessageText' && this.opts.rejectUnmodifiedEdits) {
      const key = `${String(params.chat_id)}:${String(params.message_id)}`;
      const content = JSON.stringify([params.text, params.reply_markup ?? null]);
      const unchanged = this.editedContent.get(key) === content;
      this.editedContent.set(key, content);
      if (unchanged)
        return 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
    }
    if (method === 'refundStarPayment') {
      const dup = sent.filter(
        (c) =>
          c.method === method && c.params.telegram_payment_charge_id === params.telegram_payment_charge_id,
      );
      if (dup.length > 1) return 'Bad Request: CHARGE_ALREADY_REFUNDED';
    }
    return undefined;
  }
}
