import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RegisteredSubscriptionUsage, SubscriptionUsage, UNMETERED } from '../vpn/feed/subscription-usage';
import { TrafficService } from './traffic.service';

/** Gives the subscription feed (subscription-userinfo, the page, the over-limit answer) the counted traffic. */
@Injectable()
export class TrafficFeedUsage implements OnModuleInit {
  constructor(
    private readonly usage: SubscriptionUsage,
    private readonly traffic: TrafficService,
  ) {}

  onModuleInit(): void {
    if (!(this.usage instanceof RegisteredSubscriptionUsage)) return; // a test put its own seam in place
    this.usage.use(async (id) => {
      const u = await this.traffic.usage(id);
      if (!u) return UNMETERED;
      return {
        upload: u.uploadBytes,
        download: u.downloadBytes,
        total: u.limitBytes,
        overLimit: u.overLimit,
      };
    });
  }
}
