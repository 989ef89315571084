import { z } from 'zod';
import { nodeTags } from './vpn-nodes.schema';

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, { error: 'must be a 3-letter ISO currency code' });

/** One sellable plan: prices in minor units per currency (XTR is configured as `stars`). */
const planSchema = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'plan code must be short lower-case' }),
  days: z.number().int().min(1).max(3660),
  prices: z.record(currencyCode, z.number().int().positive()),
  stars: z.number().int().positive().optional(),
  enabled: z.boolean().default(true),
  /** Node tags the plan may use; unset or empty: every node. */
  nodeTags: nodeTags.optional(),
  /** Devices that may fetch the subscription feed (by x-hwid); unset: no limit. */
  devices: z.number().int().min(1).max(100).optional(),
  /** Traffic per period in GB (2^30 bytes); unset: unlimited. */
  trafficGb: z
    .number({ error: 'trafficGb must be a number of GB (unset for unlimited)' })
    .positive({ error: 'trafficGb must be above 0 (leave it out for unlimited)' })
    .max(1_000_000, { error: 'trafficGb must be at most 1,000,000' })
    .optional(),
  /** When the used traffic starts again at zero: each paid period (a renewal) or each calendar month (UTC). */
  trafficReset: z
    .enum(['period', 'monthly'], { error: 'trafficReset must be "period" or "monthly"' })
    .default('period'),
});
export type PlanConfig = z.output<typeof planSchema>;

export const defaultPlans: PlanConfig[] = [
  {
    code: '1m',
    days: 30,
    prices: { RUB: 19_900, USD: 249 },
    stars: 150,
    enabled: true,
    trafficReset: 'period',
  },
  {
    code: '3m',
    days: 90,
    prices: { RUB: 49_900, USD: 649 },
    stars: 400,
    enabled: true,
    trafficReset: 'period',
  },
  {
    code: '6m',
    days: 180,
    prices: { RUB: 89_900, USD: 1_199 },
    stars: 750,
    enabled: true,
    trafficReset: 'period',
  },
  {
    code: '12m',
    days: 365,
    prices: { RUB: 159_900, USD: 1_999 },
    stars: 1_300,
    enabled: true,
    trafficReset: 'period',
  },
];

export const plansJson = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of plans' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(planSchema)
      .min(1)
      .refine((ps) => new Set(ps.map((p) => p.code)).size === ps.length, {
        error: 'plan codes must be unique',
      }),
  );
