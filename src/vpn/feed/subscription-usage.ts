import { Injectable } from '@nestjs/common';

/** Bytes a subscription used in its current period and what it may use; the feed's only view of traffic. */
export interface Usage {
  upload: number;
  download: number;
  /** Bytes allowed in the period; null: unlimited. */
  total: number | null;
  /** The limit is reached: the feed returns an empty profile saying so (the key is removed elsewhere). */
  overLimit: boolean;
}

/**
 * Where `subscription-userinfo`, the HTML page and the over-limit answer read usage from. Traffic accounting
 * binds its own implementation to this token; until then the feed reports unmetered use.
 */
export abstract class SubscriptionUsage {
  abstract usageOf(subscriptionId: string, signal?: AbortSignal): Promise<Usage>;
}

/** No traffic accounting yet: zero bytes used, no limit, never over it. */
@Injectable()
export class UnmeteredSubscriptionUsage extends SubscriptionUsage {
  usageOf(): Promise<Usage> {
    return Promise.resolve({ upload: 0, download: 0, total: null, overLimit: false });
  }
}
