import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SignalRegistry } from '../signals/signal-registry';

/** REQUIRED_CHANNEL: always `up` (a channel the bot cannot check costs trials, not traffic), state in details. */
@Injectable()
export class ChannelGateIndicator {
  constructor(
    private readonly his: HealthIndicatorService,
    private readonly registry: SignalRegistry,
  ) {}

  check(key = 'requiredChannel'): HealthIndicatorResult {
    const s = this.his.check(key);
    const status = this.registry.get('telegram.channel')?.status();
    if (!status) return s.up({ state: 'off', reportOnly: true });
    return s.up({ ...status, reportOnly: true });
  }
}
