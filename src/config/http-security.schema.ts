import { isIP } from 'node:net';
import { z } from 'zod';

const count = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be >= 0' })
    .max(max, { error: `must be <= ${max}` });

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isCidr = (v: string) => {
  if (PROXY_KEYWORDS.has(v)) return true;
  const [address, prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

export const httpSecurityShape = {
  TRUSTED_PROXY_CIDRS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(isCidr), {
      error: 'must be comma-separated addresses/CIDRs (or loopback, linklocal, uniquelocal)',
    })
    .default([]),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(3_600).default(60),
  RATE_LIMIT_SUB: count(100_000).default(30),
  RATE_LIMIT_HEALTH: count(100_000).default(120),
  RATE_LIMIT_PAYMENT_WEBHOOK: count(100_000).default(300),
  HTTP_CONNECTION_BUDGET: z.coerce.number().int().min(1).max(50).default(2),
  LOG_CLIENT_IPS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .default(false),
};
