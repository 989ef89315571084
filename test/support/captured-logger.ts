import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every line for assertions. */
export class CapturedLogger implements LoggerService {
  readonly lines: { level: string; context?: string; message: string }[] = [];

  log(message: unknown, context?: string) {
    this.push('log', message, context);
  }
  error(message: unknown, _stack?: string, context?: string) {
    this.push('error', message, context);
  }
  warn(message: unknown, context?: string) {
    this.push('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.push('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.push('verbose', message, context);
  }

  matching(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l.message)).map((l) => l.message);
  }

  private push(level: string, message: unknown, context?: string) {
    this.lines.push({ level, context, message: String(message) });
  }
}
