import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import { normalizeCode, PROMO_VALUE_MAX, type PromoCode } from './promo-code';
import type { PromoKind } from './promo-code.entity';
import { PromoCodesRepository, type PromoStats, type Redemption } from './promo-codes.repository';
import { PromoError, PromoErrorCode } from './promo.errors';

export interface PromoSpec {
  code: string;
  kind: PromoKind;
  value: number;
  planCodes?: string[] | null;
  maxUses?: number | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  newUsersOnly?: boolean;
  firstPurchaseOnly?: boolean;
}

const LIST_MAX = 30;
const REDEMPTIONS_SHOWN = 20;

/** What the admin /promo commands do: create (checked again here, whatever parsed it), list, show, switch off. */
@Injectable()
export class PromoAdminService {
  private readonly logger = new Logger('PromoAdminService');

  constructor(
    private readonly clock: Clock,
    private readonly plans: PlanCatalog,
    private readonly codes: PromoCodesRepository,
  ) {}

  async create(spec: PromoSpec, by: number): Promise<PromoCode> {
    const code = normalizeCode(spec.code);
    if (!code) throw invalid('a code is 3–32 letters, digits, _ or -');
    if (!Number.isSafeInteger(spec.value) || spec.value < 1 || spec.value > PROMO_VALUE_MAX[spec.kind])
      throw invalid(`the value of a ${spec.kind} code is 1–${PROMO_VALUE_MAX[spec.kind]}`);
    if (spec.maxUses != null && (!Number.isSafeInteger(spec.maxUses) || spec.maxUses < 1))
      throw invalid('max uses is a whole number from 1');
    if (spec.startsAt && spec.endsAt && spec.endsAt <= spec.startsAt)
      throw invalid('the code must end after it starts');
    if (spec.endsAt && spec.endsAt <= this.clock.now()) throw invalid('the end date has passed');
    const planCodes = spec.planCodes?.length ? [...new Set(spec.planCodes)] : null;
    if (planCodes && spec.kind !== 'discount') throw invalid('plans= applies to discount codes only');
    const onSale = new Set(this.plans.list().map((p) => p.code));
    const unknown = (planCodes ?? []).filter((c) => !onSale.has(c));
    if (unknown.length) throw invalid(`no plan on sale is called ${unknown.join(', ')}`);
    const created = await this.codes.insert({
      code,
      kind: spec.kind,
      value: spec.value,
      planCodes,
      maxUses: spec.maxUses ?? null,
      startsAt: spec.startsAt ?? null,
      endsAt: spec.endsAt ?? null,
      newUsersOnly: spec.newUsersOnly ?? false,
      firstPurchaseOnly: spec.firstPurchaseOnly ?? false,
      createdBy: by,
    });
    if (!created) throw new PromoError(PromoErrorCode.Exists, `a code ${code} exists already`);
    this.logger.log(`admin ${by} created promo code ${code} (${spec.kind} ${spec.value})`);
    return created;
  }

  list(): Promise<PromoCode[]> {
    return this.codes.list(LIST_MAX);
  }

  async details(raw: string): Promise<{ code: PromoCode; redemptions: Redemption[] } | null> {
    const name = normalizeCode(raw);
    const code = name ? await this.codes.findByCode(name) : null;
    if (!code) return null;
    return { code, redemptions: await this.codes.redemptionsOf(code.id, REDEMPTIONS_SHOWN) };
  }

  /** 'unknown' | 'off' (now) | 'already_off'. Redemptions already made keep their effect. */
  async deactivate(raw: string, by: number): Promise<'unknown' | 'off' | 'already_off'> {
    const name = normalizeCode(raw);
    if (!name || !(await this.codes.findByCode(name))) return 'unknown';
    if (!(await this.codes.deactivate(name))) return 'already_off';
    this.logger.log(`admin ${by} switched off promo code ${name}`);
    return 'off';
  }

  stats(): Promise<PromoStats> {
    return this.codes.stats(this.clock.now());
  }
}

const invalid = (message: string) => new PromoError(PromoErrorCode.Invalid, message);
