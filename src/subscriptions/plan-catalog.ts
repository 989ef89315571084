import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { plansFromConfig, type Plan } from './plan';
import { PlansRepository } from './plans.repository';
import { SubscriptionsError, SubscriptionsErrorCode } from './subscriptions.errors';

/**
 * The plans on sale. Configuration is the source; it is written to the `plans` table at start so purchases
 * can reference plans, and plans dropped from the configuration stay readable for old purchases.
 */
@Injectable()
export class PlanCatalog implements OnModuleInit {
  private plans = new Map<string, Plan>();

  constructor(
    private readonly config: AppConfig,
    private readonly repository: PlansRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.repository.sync(plansFromConfig(this.config.subscriptions.plans));
    this.plans = new Map((await this.repository.findAll()).map((p) => [p.code, p]));
  }

  /** Plans a user can buy, in display order. */
  list(): Plan[] {
    return [...this.plans.values()].filter((p) => p.enabled).sort((a, b) => a.sortOrder - b.sortOrder);
  }

  /** A plan that is on sale now; a typed error for an unknown or disabled one. */
  get(code: string): Plan {
    const plan = this.find(code);
    if (!plan.enabled)
      throw new SubscriptionsError(SubscriptionsErrorCode.PlanDisabled, `plan ${code} is not on sale`);
    return plan;
  }

  /** Any plan ever configured, also disabled ones: a purchase made earlier is honoured after a change. */
  find(code: string): Plan {
    const plan = this.plans.get(code);
    if (!plan) throw new SubscriptionsError(SubscriptionsErrorCode.UnknownPlan, `unknown plan ${code}`);
    return plan;
  }
}
