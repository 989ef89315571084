import { InitialSchema1795424725919 } from './1795424725919-InitialSchema';
import { Broadcasts1795431633032 } from './1795431633032-Broadcasts';
import { GrantRequestKey1795441200000 } from './1795441200000-GrantRequestKey';
import { PurchaseRequestKey1795444800000 } from './1795444800000-PurchaseRequestKey';
import { ReferralClawbackDebt1795444800001 } from './1795444800001-ReferralClawbackDebt';
import { VpnNodes1795450000000 } from './1795450000000-VpnNodes';
import { VpnNodeEpisodes1795460000000 } from './1795460000000-VpnNodeEpisodes';
import { TrafficAccounting1795470000000 } from './1795470000000-TrafficAccounting';
import { FeedDevices1795480000000 } from './1795480000000-FeedDevices';
import { PromoCodesAndGifts1795490000000 } from './1795490000000-PromoCodesAndGifts';
import { OutboxWakeups1795500000000 } from './1795500000000-OutboxWakeups';
import { NotificationMerge1795510000000 } from './1795510000000-NotificationMerge';

/** Every migration, in order. New migrations are appended here (the generator prints the line to add). */
export const migrations: (new () => object)[] = [
  InitialSchema1795424725919,
  Broadcasts1795431633032,
  GrantRequestKey1795441200000,
  PurchaseRequestKey1795444800000,
  ReferralClawbackDebt1795444800001,
  VpnNodes1795450000000,
  VpnNodeEpisodes1795460000000,
  TrafficAccounting1795470000000,
  FeedDevices1795480000000,
  PromoCodesAndGifts1795490000000,
  OutboxWakeups1795500000000,
  NotificationMerge1795510000000,
];
