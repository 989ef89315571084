type Update = Record<string, unknown>;

export interface WebhookConfig {
  url: string;
  secret?: string;
}

/** Webhook delivery of the fake's queue: one update at a time, in order, retried until a 2xx. */
export class FakeWebhook {
  config?: WebhookConfig;
  /** Telegram re-sends an update whose answer it did not see in time; with max_connections > 1 copies overlap. */
  copies = 1;
  private deliveries = 0;

  constructor(private readonly queue: () => Update[]) {}

  /** Delivers pending updates one at a time, retrying with a short doubling delay. */
  async deliverPending(): Promise<void> {
    if (this.deliveries > 0 || !this.config) return;
    // Traffic stays on this machine: a webhook elsewhere is recorded, never called.
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(this.config.url)) return;
    this.deliveries++;
    try {
      let delay = 50;
      while (this.config && this.queue().length > 0) {
        const update = this.queue()[0];
        const statuses = await Promise.all(Array.from({ length: this.copies }, () => this.post(update)));
        if (statuses.some((s) => s >= 200 && s < 300)) {
          this.queue().shift();
          delay = 50;
        } else {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 2_000);
        }
      }
    } finally {
      this.deliveries--;
    }
  }

  /** One webhook POST with the secret header; the HTTP status, or 0 when there was no answer. */
  async post(update: Update): Promise<number> {
    const hook = this.config!;
    // Traffic stays on this machine: a webhook elsewhere is recorded, never called.
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(hook.url)) return 0;
    return fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(hook.secret ? { 'x-telegram-bot-api-secret-token': hook.secret } : {}),
      },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      })
      .catch(() => 0);
  }
}
