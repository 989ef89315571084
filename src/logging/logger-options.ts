import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config';
import { isTelegramWebhookPath } from '../http-setup';

const redact = [
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["crypto-pay-api-signature"]',
  'req.headers["crypto-pay-api-token"]',
  'req.headers.cookie',
];

export interface LogSink {
  stream: DestinationStream;
  dropped(): number;
  flush(): void;
}

/** Never blocks the event loop (docs/architecture.md, rule 7): past `maxLength` lines are dropped. */
export function createLogSink(config: AppConfig): LogSink {
  let dropped = 0;
  if (config.log.format === 'pretty') {
    try {
      require.resolve('pino-pretty');
      const stream = pino.transport({
        target: 'pino-pretty',
        options: { destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      }) as DestinationStream;
      return { stream, dropped: () => dropped, flush: () => undefined };
    } catch {
      // pino-pretty is a dev dependency; production images log JSON.
    }
  }
  const dest = pino.destination({ dest: 1, sync: false, minLength: 0, maxLength: 16 * 1024 * 1024 });
  dest.on('drop', () => dropped++);
  dest.on('error', () => undefined); // EPIPE: nobody reads stdout any more; never crash for that.
  return {
    stream: dest,
    dropped: () => dropped,
    flush: () => {
      try {
        dest.flushSync();
      } catch {
        // not ready or stdout blocked: exiting matters more than the last lines
      }
    },
  };
}

export function createRootLogger(config: AppConfig, sink: LogSink): Logger {
  const options: LoggerOptions = {
    level: config.log.level,
    redact,
    base: { app: config.database.applicationName },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, sink.stream);
}

/** Subscription tokens are bearer credentials: a request log line shows `/sub/***`, never the token. */
export function maskUrl(url: string | undefined): string | undefined {
  return url?.replace(/^(\/sub\/)[^?#]*/i, '$1***').replace(/([?&](?:token|secret)=)[^&#]*/gi, '$1***');
}

interface LoggedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
  remotePort?: number;
  [key: string]: unknown;
}

export function loggerParams(logger: Logger, opts: { logClientIps?: boolean } = {}): Params {
  return {
    pinoHttp: {
      logger,
      serializers: {
        // Client addresses (and device ids) are personal data: recorded only with LOG_CLIENT_IPS=true.
        req: (req: LoggedRequest) => {
          // params and query repeat what the path holds (the /sub token among them): left out.
          const { remoteAddress, remotePort, headers = {}, params: _p, query: _q, ...rest } = req;
          const kept = { ...headers };
          if (!opts.logClientIps) {
            delete kept['x-forwarded-for'];
            delete kept['x-real-ip'];
            delete kept.forwarded;
            // A device id identifies a person's phone as well as an address does.
            delete kept['x-hwid'];
          }
          return {
            ...rest,
            url: maskUrl(req.url),
            headers: kept,
            ...(opts.logClientIps ? { remoteAddress, remotePort } : {}),
          };
        },
        // The feed's own headers carry its URL (profile-web-page-url): the token is masked there too.
        res: (res: { statusCode?: number; headers?: Record<string, unknown> }) => ({
          ...res,
          headers: Object.fromEntries(
            Object.entries(res.headers ?? {}).map(([k, v]) => [
              k,
              typeof v === 'string' ? v.replace(/\/sub\/[^?#\s]+/gi, '/sub/***') : v,
            ]),
          ),
        }),
      },
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      customLogLevel: (req, res, err) =>
        err || res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : // One line per accepted Telegram update would be most of the log; the dispatcher logs what matters.
              isTelegramWebhookPath(req.url)
              ? 'debug'
              : 'info',
      quietReqLogger: true,
    },
  };
}
