import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

@Injectable()
export class TopupPolicyService {
  constructor(private readonly config: AppConfig) {}

  get presetAmountsMinor(): number[] {
    return this.config.bot.topupAmountsMinor;
  }

  get range(): { minMinor: number; maxMinor: number } {
    return { minMinor: this.config.bot.topupMinMinor, maxMinor: this.config.bot.topupMaxMinor };
  }

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
