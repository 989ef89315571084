import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** Which balance top-ups are offered and accepted, and what they cost in Stars. */
@Injectable()
export class TopupPolicyService {
  constructor(private readonly config: AppConfig) {}

  /** The preset amounts (TOPUP_AMOUNTS), in minor units of the balance currency. */
  get presetAmountsMinor(): number[] {
    return this.config.bot.topupAmountsMinor;
  }

  /** TOPUP_MIN_AMOUNT..TOPUP_MAX_AMOUNT, in minor units: the range of an amount the user types. */
  get range(): { minMinor: number; maxMinor: number } {
    return { minMinor: this.config.bot.topupMinMinor, maxMinor: this.config.bot.topupMaxMinor };
  }

  /** A preset amount, or one within the range; undefined for anything else. */
  allowedAmount(minor: number | undefined): number | undefined {
    if (minor === undefined) return undefined;
    if (this.presetAmountsMinor.includes(minor)) return minor;
    const { minMinor, maxMinor } = this.range;
    return minor >= minMinor && minor <= maxMinor ? minor : undefined;
  }

  /** Stars for a top-up: whole Stars, rounded up, at STARS_TOPUP_MINOR_PER_STAR. */
  starsFor(amountMinor: number): number {
    return Math.ceil(amountMinor / this.config.bot.starsTopupMinorPerStar);
  }
}
