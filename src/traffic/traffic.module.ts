import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { VpnDesiredStateModule } from '../vpn/vpn-desired-state.module';
import { VpnModule } from '../vpn/vpn.module';
import { TrafficAccountingService } from './traffic-accounting.service';
import { TrafficFeedUsage } from './traffic-feed-usage';
import { TrafficCountersRepository } from './traffic-counters.repository';
import { TrafficLimitsRepository } from './traffic-limits.repository';
import { TrafficJob } from './traffic.job';
import { TrafficService } from './traffic.service';

/** Traffic accounting: reads the cores' counters, keeps per-node and per-period totals, enforces limits. */
@Module({
  imports: [NotificationsModule, VpnDesiredStateModule, VpnModule],
  providers: [
    TrafficCountersRepository,
    TrafficLimitsRepository,
    TrafficAccountingService,
    TrafficJob,
    TrafficService,
    TrafficFeedUsage,
  ],
  exports: [TrafficService, TrafficAccountingService],
})
export class TrafficModule {}
