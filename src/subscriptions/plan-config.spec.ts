import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { plansFromConfig, priceOf } from './plan';
import { SubscriptionsErrorCode } from './subscriptions.errors';

const base = { BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

describe('plans from configuration', () => {
  it('defaults to 1, 3, 6 and 12 months priced in RUB, USD and Stars', () => {
    const plans = plansFromConfig(AppConfig.fromEnv(base).subscriptions.plans);
    expect(plans.map((p) => [p.code, p.durationDays])).toEqual([
      ['1m', 30],
      ['3m', 90],
      ['6m', 180],
      ['12m', 365],
    ]);
    for (const p of plans) {
      expect(priceOf(p, 'RUB')).toBeGreaterThan(0);
      expect(priceOf(p, 'USD')).toBeGreaterThan(0);
      expect(priceOf(p, 'XTR')).toBeGreaterThan(0);
    }
  });

  it('reads PLANS as JSON and keeps the configured order', () => {
    const c = AppConfig.fromEnv({
      ...base,
      PLANS: JSON.stringify([
        { code: 'week', days: 7, prices: { RUB: 5_000 } },
        {
          code: 'year',
          days: 365,
          prices: { RUB: 100_000, EUR: 1_000 },
          stars: 900,
          enabled: false,
          devices: 3,
        },
      ]),
    });
    expect(plansFromConfig(c.subscriptions.plans)).toEqual([
      {
        code: 'week',
        durationDays: 7,
        prices: { RUB: 5_000 },
        starsPrice: null,
        enabled: true,
        sortOrder: 0,
        deviceLimit: null,
        trafficLimitBytes: null,
        trafficReset: 'period',
      },
      {
        code: 'year',
        durationDays: 365,
        prices: { RUB: 100_000, EUR: 1_000 },
        starsPrice: 900,
        enabled: false,
        sortOrder: 1,
        deviceLimit: 3,
        trafficLimitBytes: null,
        trafficReset: 'period',
      },
    ]);
  });

  it('refuses broken plans with one message per problem', () => {
    const bad =
      (PLANS: string, extra: Record<string, string> = {}) =>
      () =>
        AppConfig.fromEnv({ ...base, PLANS, ...extra });
    expect(bad('not json')).toThrow(/PLANS: must be a JSON array of plans/);
    expect(bad('[{"code":"a","days":0,"prices":{"RUB":1}}]')).toThrow(/PLANS/);
    expect(bad('[{"code":"a","days":1,"prices":{"RUB":-5}}]')).toThrow(/PLANS/);
    expect(
      bad('[{"code":"a","days":1,"prices":{"RUB":1}},{"code":"a","days":2,"prices":{"RUB":1}}]'),
    ).toThrow(/plan codes must be unique/);
    for (const devices of ['0', '101', '1.5', '"2"'])
      expect(bad(`[{"code":"a","days":1,"prices":{"RUB":1},"devices":${devices}}]`)).toThrow(
        /PLANS\.0\.devices/,
      );
    expect(bad('[{"code":"a","days":1,"prices":{"USD":100}}]')).toThrow(
      /plan a has no price in BALANCE_CURRENCY \(RUB\)/,
    );
    expect(() => AppConfig.fromEnv({ ...base, BALANCE_CURRENCY: 'rub' })).toThrow(/BALANCE_CURRENCY/);
    expect(() => AppConfig.fromEnv({ ...base, VPN_EMAIL_DOMAIN: 'VPN.local' })).toThrow(/VPN_EMAIL_DOMAIN/);
  });

  it('reads a traffic limit in GB (2^30 bytes) and how it resets; unlimited when left out', () => {
    const c = AppConfig.fromEnv({
      ...base,
      PLANS: JSON.stringify([
        { code: 'lim', days: 30, prices: { RUB: 100 }, trafficGb: 50, trafficReset: 'monthly' },
        { code: 'half', days: 30, prices: { RUB: 100 }, trafficGb: 0.5 },
        { code: 'free', days: 30, prices: { RUB: 100 } },
      ]),
    });
    expect(
      plansFromConfig(c.subscriptions.plans).map((p) => [p.code, p.trafficLimitBytes, p.trafficReset]),
    ).toEqual([
      ['lim', 50 * 1024 ** 3, 'monthly'],
      ['half', 512 * 1024 ** 2, 'period'],
      ['free', null, 'period'],
    ]);
  });

  it('refuses a bad traffic limit or reset with a message that says what to write', () => {
    const plans = (extra: Record<string, unknown>) => () =>
      AppConfig.fromEnv({
        ...base,
        PLANS: JSON.stringify([{ code: 'a', days: 30, prices: { RUB: 100 }, ...extra }]),
      });
    expect(plans({ trafficGb: 0 })).toThrow(/trafficGb must be above 0 \(leave it out for unlimited\)/);
    expect(plans({ trafficGb: -5 })).toThrow(/trafficGb must be above 0/);
    expect(plans({ trafficGb: '50' })).toThrow(/trafficGb must be a number of GB/);
    expect(plans({ trafficGb: 5e6 })).toThrow(/trafficGb must be at most 1,000,000/);
    expect(plans({ trafficGb: 10, trafficReset: 'weekly' })).toThrow(
      /trafficReset must be "period" or "monthly"/,
    );
  });

  it('gives a typed error for a currency a plan has no price in', () => {
    const [plan] = plansFromConfig(AppConfig.fromEnv(base).subscriptions.plans);
    expect(() => priceOf(plan, 'EUR')).toThrow(
      expect.objectContaining({ code: SubscriptionsErrorCode.PlanNotPriced }),
    );
  });

  it('exposes the money settings with their defaults', () => {
    expect(AppConfig.fromEnv(base).payments).toEqual({
      balanceCurrency: 'RUB',
      referralPercent: 10,
      referralRewardMode: 'first',
      autoRenewWindowHours: 24,
      autoRenewGraceHours: 6,
      purchasePendingTtlMinutes: 60,
      pendingPerHourMax: 5,
      giftValidDays: 30,
      paymentNoticeKeyWaitMs: 3_000,
    });
    expect(AppConfig.fromEnv(base).subscriptions).toMatchObject({
      trialDays: 3,
      vpnEmailDomain: 'vpn.local',
    });
  });
});
