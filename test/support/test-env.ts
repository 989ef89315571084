export const TEMPLATE_DB = 'vpnbot_template';

/** A complete, valid environment for tests; override what a test is about. */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    BOT_TOKEN: '123456:TEST-token-abcdefghijklmnopqrstuvwxyz',
    DB_POOL_SIZE: '10',
    ...overrides,
  };
}
