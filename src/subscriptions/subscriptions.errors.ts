export enum SubscriptionsErrorCode {
  UnknownPlan = 'UNKNOWN_PLAN',
  PlanDisabled = 'PLAN_DISABLED',
  PlanNotPriced = 'PLAN_NOT_PRICED',
  TrialAlreadyUsed = 'TRIAL_ALREADY_USED',
  TrialNotAvailable = 'TRIAL_NOT_AVAILABLE',
  NoSubscription = 'NO_SUBSCRIPTION',
  SubscriptionNotActive = 'SUBSCRIPTION_NOT_ACTIVE',
  AutoRenewNeedsPlan = 'AUTO_RENEW_NEEDS_PLAN',
  InvalidDays = 'INVALID_DAYS',
  ReissueTooSoon = 'REISSUE_TOO_SOON',
}

export class SubscriptionsError extends Error {
  constructor(
    readonly code: SubscriptionsErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'SubscriptionsError';
  }
}

export class ReissueTooSoonError extends SubscriptionsError {
  constructor(readonly waitMs: number) {
    super(SubscriptionsErrorCode.ReissueTooSoon, `the key was reissued recently: wait ${waitMs} ms`);
  }
}
