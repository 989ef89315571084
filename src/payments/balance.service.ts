import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService } from '../database/db.service';
import { UsersError, UsersErrorCode } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { BalanceLedgerRepository, type LedgerEntry } from './balance-ledger.repository';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

@Injectable()
export class BalanceService {
  constructor(
    private readonly db: DbService,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly ledger: BalanceLedgerRepository,
  ) {}

  async getBalance(userId: number): Promise<number> {
    return (await this.users.get(userId)).balanceMinor;
  }

  async history(userId: number): Promise<LedgerEntry[]> {
    await this.users.get(userId);
    return this.ledger.entriesFor(userId);
  }

  /** `reference` is the idempotency key: the ledger's unique key refuses it a second time. */
  async adminAdjust(input: { userId: number; deltaMinor: number; reference: string }): Promise<number> {
    if (!Number.isSafeInteger(input.deltaMinor) || input.deltaMinor === 0)
      throw new PaymentsError(
        PaymentsErrorCode.InvalidAmount,
        'an adjustment must be a non-zero whole number',
      );
    await this.users.get(input.userId);
    return this.db.transaction('balance.admin-adjust', async (em) => {
      if (!(await this.usersRepository.lock(em, input.userId)))
        throw new UsersError(UsersErrorCode.UserNotFound, `user ${input.userId} not found`);
      return this.ledger.apply(em, {
        userId: input.userId,
        deltaMinor: input.deltaMinor,
        reason: 'admin',
        reference: input.reference,
      });
    });
  }

  /** A promo code's credit, in the caller's transaction; the redemption id keeps it to once. */
  async creditPromo(
    em: EntityManager,
    c: { userId: number; amountMinor: number; redemptionId: string },
  ): Promise<number> {
    return this.ledger.apply(em, {
      userId: c.userId,
      deltaMinor: c.amountMinor,
      reason: 'promo',
      reference: c.redemptionId,
    });
  }
}
