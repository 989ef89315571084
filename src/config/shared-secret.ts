import { z } from 'zod';

// Values copied from docs and examples: a secret everyone can read is no secret.
export const PLACEHOLDER =
  /replace|change-?me|placeholder|example|your[-_]?secret|^(x+|0+|secret|password)$/i;
export const GENERATE = 'generate one with `openssl rand -hex 32`';

export const sharedSecret = (opts: { min: number; pattern: RegExp; charset: string }) =>
  z
    .string()
    .refine((v) => opts.pattern.test(v), { error: `must be ${opts.charset}` })
    .refine((v) => v.length >= opts.min, { error: `must be at least ${opts.min} characters; ${GENERATE}` })
    .refine((v) => !PLACEHOLDER.test(v), { error: `is a placeholder, not a secret; ${GENERATE}` });
