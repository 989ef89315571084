type Update = Record<string, unknown>;

export interface WebhookConfig {
  url: string;
  secret?: string;
}

export class FakeWebhook {
  config?: WebhookConfig;
  copies = 1;
  private deliveries = 0;

  constructor(private readonly queue: () => Update[]) {}

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
