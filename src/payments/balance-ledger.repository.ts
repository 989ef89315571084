import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import { UsersRepository } from '../users/users.repository';
import type { LedgerReason } from './balance-ledger.entity';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

export interface LedgerChange {
  userId: number;
  deltaMinor: number;
  reason: LedgerReason;
  reference: string;
}

export interface LedgerEntry {
  userId: number;
  deltaMinor: number;
  balanceAfter: number;
  reason: LedgerReason;
  reference: string;
  createdAt: Date;
}

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';

function pgCode(err: unknown): string | undefined {
  const e = err as { driverError?: { code?: string }; code?: string };
  return e.driverError?.code ?? e.code;
}

@Injectable()
export class BalanceLedgerRepository {
  constructor(
    private readonly db: DbService,
    private readonly users: UsersRepository,
  ) {}

  /** The row update locks the user, and the database refuses a negative result (typed error here). */
  async apply(em: EntityManager, c: LedgerChange): Promise<number> {
    let balanceAfter: number | null;
    try {
      balanceAfter = await this.users.addToBalance(em, c.userId, c.deltaMinor);
    } catch (err) {
      if (pgCode(err) === CHECK_VIOLATION)
        throw new PaymentsError(PaymentsErrorCode.InsufficientFunds, 'the balance cannot go below zero');
      throw err;
    }
    if (balanceAfter === null) throw new Error(`balance change for unknown user ${c.userId}`);
    try {
      await queryRows(
        em,
        `INSERT INTO balance_ledger (user_id, delta_minor, balance_after, reason, reference)
         VALUES ($1, $2, $3, $4, $5)`,
        [c.userId, c.deltaMinor, balanceAfter, c.reason, c.reference],
      );
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION)
        throw new PaymentsError(
          PaymentsErrorCode.AlreadyApplied,
          `${c.reason} ${c.reference} was applied already`,
        );
      throw err;
    }
    return balanceAfter;
  }

  async entriesFor(userId: number): Promise<LedgerEntry[]> {
    const rows = await this.db.query<{
      user_id: string;
      delta_minor: string;
      balance_after: string;
      reason: LedgerReason;
      reference: string;
      created_at: Date;
    }>(
      'ledger.entries',
      `SELECT user_id, delta_minor, balance_after, reason, reference, created_at FROM balance_ledger
       WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map((r) => ({
      userId: Number(r.user_id),
      deltaMinor: Number(r.delta_minor),
      balanceAfter: Number(r.balance_after),
      reason: r.reason,
      reference: r.reference,
      createdAt: r.created_at,
    }));
  }
}
