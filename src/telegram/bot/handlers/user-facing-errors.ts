import { PaymentsError, PaymentsErrorCode } from '../../../payments/payments.errors';
import { CryptoPayError, CryptoPayErrorCode } from '../../../payments/providers/crypto-pay/crypto-pay.errors';
import { StarsError, StarsErrorCode } from '../../../payments/providers/stars/stars.errors';
import {
  ReissueTooSoonError,
  SubscriptionsError,
  SubscriptionsErrorCode,
} from '../../../subscriptions/subscriptions.errors';
import type { User } from '../../../users/user';
import { UsersError } from '../../../users/users.errors';
import { VpnMisconfiguredError } from '../../../vpn/vpn.errors';
import { GiftsError } from '../../../payments/gifts/gifts.errors';
import { PromoError } from '../../../promo/promo.errors';
import { giftRefused } from '../views/gift.view';
import { discountTaken, promoRefused } from '../views/promo.view';
import { CB } from '../views/callback-data';
import { t, type Lang, type Screen } from '../views/i18n';
import { backToMenu, btn, somethingWentWrong } from '../views/menu.view';
import {
  alreadyPaid,
  insufficientFunds,
  methodUnavailable,
  planUnavailable,
  providerUnavailable,
  tooManyInvoices,
} from '../views/plans.view';
import {
  autoRenewNeedsPlan,
  keyUnavailable,
  noSubscription,
  notActive,
  reissueTooSoon,
  trialCheckUnavailable,
  trialRefused,
} from '../views/subscription.view';
import { ChannelCheckUnavailableError } from '../channel-gate.service';

export type UserFacing =
  | {
      screen: Screen;
      toast?: string;
      log?: 'warn' | 'error';
    }
  | { alert: string; log?: undefined };

const withMenu = (text: string, lang: Lang, first?: [string, string]): Screen => ({
  text,
  keyboard: [...(first ? [[btn(first[0], first[1])]] : []), backToMenu(lang)],
});

export function userFacing(
  err: unknown,
  p: { user?: User; currency: string; lang: Lang },
): UserFacing | undefined {
  const { lang } = p;
  const plans: [string, string] = [t(lang, 'button.plansShort'), CB.plans];
  if (err instanceof ReissueTooSoonError) return { alert: reissueTooSoon(err.waitMs, lang) };
  if (err instanceof SubscriptionsError) {
    switch (err.code) {
      case SubscriptionsErrorCode.TrialAlreadyUsed:
        return { screen: trialRefused('used', lang) };
      case SubscriptionsErrorCode.TrialNotAvailable:
        return { screen: trialRefused('has_subscription', lang) };
      case SubscriptionsErrorCode.NoSubscription:
        return { screen: noSubscription(!p.user?.trialUsedAt, lang) };
      case SubscriptionsErrorCode.SubscriptionNotActive:
        return { screen: withMenu(notActive[lang], lang, plans), toast: notActive[lang] };
      case SubscriptionsErrorCode.AutoRenewNeedsPlan:
        return { screen: withMenu(autoRenewNeedsPlan[lang], lang, plans), toast: autoRenewNeedsPlan[lang] };
      case SubscriptionsErrorCode.UnknownPlan:
      case SubscriptionsErrorCode.PlanDisabled:
      case SubscriptionsErrorCode.PlanNotPriced:
        return { screen: withMenu(planUnavailable[lang], lang, plans), toast: planUnavailable[lang] };
      default:
        return undefined;
    }
  }
  if (err instanceof PaymentsError) {
    switch (err.code) {
      case PaymentsErrorCode.InsufficientFunds:
        return {
          screen: insufficientFunds({ balanceMinor: p.user?.balanceMinor ?? 0, currency: p.currency }, lang),
        };
      case PaymentsErrorCode.AlreadyApplied:
        return {
          screen: withMenu(alreadyPaid[lang], lang, [t(lang, 'button.sub'), CB.sub]),
          toast: alreadyPaid[lang],
        };
      case PaymentsErrorCode.UnsupportedCurrency:
      case PaymentsErrorCode.UnsupportedProvider:
        return {
          screen: withMenu(methodUnavailable[lang], lang, plans),
          toast: methodUnavailable[lang],
          log: 'warn',
        };
      case PaymentsErrorCode.DiscountTaken:
        return { screen: withMenu(discountTaken[lang], lang, plans), toast: discountTaken[lang] };
      case PaymentsErrorCode.TooManyPending:
        return { screen: withMenu(tooManyInvoices[lang], lang, plans), toast: tooManyInvoices[lang] };
      case PaymentsErrorCode.PurchaseExpired:
      case PaymentsErrorCode.PurchaseNotPayable:
      case PaymentsErrorCode.PurchaseNotFound:
        return { screen: withMenu(planUnavailable[lang], lang, plans) };
      default:
        return undefined;
    }
  }
  if (err instanceof CryptoPayError) {
    if (err.code === CryptoPayErrorCode.Disabled || err.code === CryptoPayErrorCode.NotPayable)
      return { screen: withMenu(methodUnavailable[lang], lang, plans), toast: methodUnavailable[lang] };
    if (err.code === CryptoPayErrorCode.Unavailable || err.code === CryptoPayErrorCode.ApiError)
      return {
        screen: withMenu(providerUnavailable[lang], lang, plans),
        log: err.code === CryptoPayErrorCode.ApiError ? 'error' : 'warn',
      };
  }
  if (err instanceof StarsError) {
    if (err.code === StarsErrorCode.Disabled || err.code === StarsErrorCode.NotPayable)
      return { screen: withMenu(methodUnavailable[lang], lang, plans), toast: methodUnavailable[lang] };
    return { screen: withMenu(providerUnavailable[lang], lang, plans), log: 'warn' };
  }
  if (err instanceof ChannelCheckUnavailableError)
    return { screen: trialCheckUnavailable(lang), log: 'warn' };
  if (err instanceof PromoError) {
    const screen = promoRefused(err.code, lang);
    return screen ? { screen } : undefined;
  }
  if (err instanceof GiftsError) return { screen: giftRefused(err.code, lang) };
  if (err instanceof VpnMisconfiguredError)
    return { screen: withMenu(keyUnavailable[lang], lang), log: 'error' };
  if (err instanceof UsersError) return { screen: withMenu(somethingWentWrong[lang], lang), log: 'warn' };
  return undefined;
}
