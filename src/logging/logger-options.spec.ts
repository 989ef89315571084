import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerParams } from './logger-options';

type ReqSerializer = (req: Record<string, unknown>) => { url?: string; headers: Record<string, unknown> };
const serializerOf = (logClientIps: boolean) =>
  (
    loggerParams(pino({ enabled: false }), { logClientIps }).pinoHttp as {
      serializers: { req: ReqSerializer };
    }
  ).serializers.req;

describe('request log lines', () => {
  const req = {
    method: 'GET',
    url: '/sub/AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH?format=clash',
    headers: { 'user-agent': 'Happ/1.63.1', 'x-hwid': 'device-1', 'x-forwarded-for': '203.0.113.9' },
  };

  it('masks the feed token and leaves out device ids and client addresses by default', () => {
    const line = serializerOf(false)(req);
    expect(line.url).toBe('/sub/***?format=clash');
    expect(line.headers).toEqual({ 'user-agent': 'Happ/1.63.1' });
  });

  it('keeps device ids and addresses only with LOG_CLIENT_IPS', () => {
    expect(serializerOf(true)(req).headers).toMatchObject({
      'x-hwid': 'device-1',
      'x-forwarded-for': '203.0.113.9',
    });
  });

  it('masks the feed URL in response headers too (profile-web-page-url)', () => {
    const res = (
      loggerParams(pino({ enabled: false })).pinoHttp as {
        serializers: { res: (r: object) => { headers: Record<string, unknown> } };
      }
    ).serializers.res;
    const line = res({
      statusCode: 200,
      headers: {
        'profile-web-page-url': 'https://bot.example.com/sub/AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH',
        'content-length': 12,
      },
    });
    expect(line.headers).toEqual({
      'profile-web-page-url': 'https://bot.example.com/sub/***',
      'content-length': 12,
    });
  });
});

describe('request log levels', () => {
  type Level = (req: { url?: string }, res: { statusCode: number }, err?: Error) => string;
  const level = (loggerParams(pino({ enabled: false })).pinoHttp as { customLogLevel: Level }).customLogLevel;

  it('logs an accepted Telegram update at debug, a refused one at warn and other requests at info', () => {
    expect(level({ url: '/telegram/webhook' }, { statusCode: 200 })).toBe('debug');
    expect(level({ url: '/Telegram/Webhook/' }, { statusCode: 200 })).toBe('debug');
    expect(level({ url: '/telegram/webhook' }, { statusCode: 403 })).toBe('warn');
    expect(level({ url: '/telegram/webhook' }, { statusCode: 503 })).toBe('error');
    expect(level({ url: '/payments/crypto-pay/webhook' }, { statusCode: 200 })).toBe('info');
  });
});
