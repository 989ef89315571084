import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';

/** Routes TypeORM's messages into the application logger (TypeORM's own loggers write with console.*). */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    // Debug only: expected failures (a replay's unique violation) must not look like incidents.
    this.logger.debug(
      `query failed: ${error instanceof Error ? error.message : error} -- ${truncate(query)}`,
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${truncate(query)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

function truncate(q: string): string {
  return q.length > 300 ? `${q.slice(0, 300)}…` : q;
}
