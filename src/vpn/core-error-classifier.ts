import { status } from '@grpc/grpc-js';

export type CoreErrorClass =
  'misconfigured' | 'unavailable' | 'invalid_user' | 'already_present' | 'already_absent' | 'unknown';

// Order matters: "handler not found: <tag>" contains "not found", so the tag rule comes first.
const rules: [RegExp, CoreErrorClass][] = [
  [/failed to get handler/, 'misconfigured'],
  [/Unknown type|unknown operation/, 'misconfigured'],
  [/failed to parse (user|ID)|Email must not be empty/, 'invalid_user'],
  [/proxy is not a UserManager/, 'misconfigured'],
  [/User .* already exists\.?$/, 'already_present'],
  [/User .* not found\.?$/, 'already_absent'],
];

/** Classifies a gRPC error of Xray or v2fly by code first, then by the exact texts the cores produce. */
export function classifyCoreError(code: number | undefined, details: string | undefined): CoreErrorClass {
  if (code === status.UNIMPLEMENTED) return 'misconfigured';
  if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) return 'unavailable';
  const text = (details ?? '').trim();
  for (const [re, cls] of rules) if (re.test(text)) return cls;
  return 'unknown';
}
