import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { plansFromConfig, type Plan } from './plan';
import { PlansRepository } from './plans.repository';
import { SubscriptionsError, SubscriptionsErrorCode } from './subscriptions.errors';

/** Written to `plans` at start so purchases can reference plans; dropped plans stay readable for old purchases. */
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

  list(): Plan[] {
    return [...this.plans.values()].filter((p) => p.enabled).sort((a, b) => a.sortOrder - b.sortOrder);
  }

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
