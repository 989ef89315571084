import { Injectable, Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleType,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { AppConfig } from '../config/app-config';
import { VpnUnavailableError } from './vpn.errors';

/** Fails fast after N "unavailable" answers: a hung core costs one deadline per probe, not per operation. */
@Injectable()
export class VpnCircuit {
  private readonly logger = new Logger('VpnCircuit');
  readonly policy: CircuitBreakerPolicy;
  readonly halfOpenAfterMs: number;
  opened = 0;
  node = 'default';

  constructor(config: AppConfig) {
    const { circuitThreshold, circuitHalfOpenMs } = config.vpn.outbox;
    this.halfOpenAfterMs = circuitHalfOpenMs;
    this.policy = circuitBreaker(handleType(VpnUnavailableError), {
      halfOpenAfter: circuitHalfOpenMs,
      breaker: new ConsecutiveBreaker(circuitThreshold),
    });
    this.policy.onBreak(() => {
      this.opened++;
      this.logger.warn(
        `VPN core circuit of node ${this.node} opened after ${circuitThreshold} consecutive unavailable answers`,
      );
    });
    this.policy.onReset(() =>
      this.logger.log(`VPN core circuit of node ${this.node} closed: the core answers again`),
    );
  }

  get isOpen(): boolean {
    return this.policy.state === CircuitState.Open;
  }

  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.policy.execute(({ signal: s }) => fn(s), signal);
  }
}

export function isCircuitOpenError(err: unknown): boolean {
  return err instanceof BrokenCircuitError;
}
