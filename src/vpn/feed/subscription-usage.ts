import { Injectable } from '@nestjs/common';

export interface Usage {
  upload: number;
  download: number;
  total: number | null;
  /** The limit is reached: the feed returns an empty profile saying so (the key is removed elsewhere). */
  overLimit: boolean;
}

export abstract class SubscriptionUsage {
  abstract usageOf(subscriptionId: string, signal?: AbortSignal): Promise<Usage>;
}

export const UNMETERED: Usage = { upload: 0, download: 0, total: null, overLimit: false };
export type UsageReader = (subscriptionId: string) => Promise<Usage>;

/** Unmetered until traffic accounting registers its reader at start (traffic depends on vpn, not back). */
@Injectable()
export class RegisteredSubscriptionUsage extends SubscriptionUsage {
  private reader?: UsageReader;

  use(reader: UsageReader): void {
    this.reader = reader;
  }

  usageOf(subscriptionId: string): Promise<Usage> {
    return this.reader ? this.reader(subscriptionId) : Promise.resolve(UNMETERED);
  }
}
