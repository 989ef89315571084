import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { currentCaller, withCaller } from './caller-context';

@Injectable()
export class DbService {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  transaction<T>(label: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run(label, () => this.dataSource.transaction(fn));
  }

  query<T = Record<string, unknown>>(label: string, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.run(label, async () => {
      const qr = this.dataSource.createQueryRunner();
      try {
        return (await qr.query(sql, params, true)).records as T[];
      } finally {
        await qr.release();
      }
    });
  }

  private run<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const outer = currentCaller();
    const fullLabel = outer ? `${outer.label}/${label}` : label;
    const call = () => withCaller({ ...outer, label: fullLabel }, fn);
    return outer?.budget ? outer.budget.execute(call, outer.signal) : call();
  }
}

/** EntityManager.query returns `[rows, count]` for UPDATE and DELETE on PostgreSQL; this returns the rows. */
export async function queryRows<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (!em.queryRunner) throw new Error('queryRows needs a transactional EntityManager');
  return (await em.queryRunner.query(sql, params, true)).records as T[];
}
