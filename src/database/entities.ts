import { BroadcastEntity } from '../admin/broadcast.entity';
import { JobLeaseEntity } from '../jobs/job-lease.entity';
import { BalanceLedgerEntity } from '../payments/balance-ledger.entity';
import { ProcessedProviderEventEntity } from '../payments/processed-provider-event.entity';
import { GiftEntity } from '../payments/gifts/gift.entity';
import { PurchaseEntity } from '../payments/purchase.entity';
import { PromoCodeEntity } from '../promo/promo-code.entity';
import { PromoRedemptionEntity } from '../promo/promo-redemption.entity';
import { ReferralRewardEntity } from '../payments/referral-reward.entity';
import { PlanEntity } from '../subscriptions/plan.entity';
import { SubscriptionGrantEntity } from '../subscriptions/subscription-grant.entity';
import { SubscriptionEntity } from '../subscriptions/subscription.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { TelegramUpdateEntity } from '../telegram/transport/telegram-update.entity';
import { TrafficNodeUsageEntity } from '../traffic/traffic-node-usage.entity';
import { TrafficPeriodEntity } from '../traffic/traffic-period.entity';
import { UserEntity } from '../users/user.entity';
import { SubscriptionDeviceEntity } from '../vpn/devices/subscription-device.entity';
import { VpnNodeEntity } from '../vpn/vpn-node.entity';
import { VpnOperationEntity } from '../vpn/vpn-operation.entity';

/** Every entity of the schema; the data source, the migration CLI and the test harness share this list. */
export const entities = [
  UserEntity,
  PlanEntity,
  SubscriptionEntity,
  SubscriptionGrantEntity,
  PurchaseEntity,
  BalanceLedgerEntity,
  ReferralRewardEntity,
  ProcessedProviderEventEntity,
  VpnNodeEntity,
  VpnOperationEntity,
  SubscriptionDeviceEntity,
  NotificationEntity,
  TelegramUpdateEntity,
  JobLeaseEntity,
  BroadcastEntity,
  PromoCodeEntity,
  PromoRedemptionEntity,
  GiftEntity,
  TrafficNodeUsageEntity,
  TrafficPeriodEntity,
];
