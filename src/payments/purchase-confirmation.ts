import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import type { Purchase } from './purchase';
import type { FinalizeInput } from './purchases.service';

export function eventReused(c: FinalizeInput): PaymentsError {
  return new PaymentsError(
    PaymentsErrorCode.ProviderEventReused,
    `${c.provider} event ${c.providerEventId} confirmed another purchase`,
  );
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return (e.driverError?.code ?? e.code) === '23505';
}

export function checkConfirmation(p: Purchase, c: FinalizeInput): void {
  if (p.provider !== c.provider)
    throw new PaymentsError(
      PaymentsErrorCode.ProviderMismatch,
      `purchase ${p.id} is paid through ${p.provider}`,
    );
  if (c.providerInvoiceId && p.providerInvoiceId && c.providerInvoiceId !== p.providerInvoiceId)
    throw new PaymentsError(PaymentsErrorCode.InvoiceMismatch, `purchase ${p.id} has another invoice`);
  if (c.amountMinor !== p.amountMinor || c.currency !== p.currency)
    throw new PaymentsError(
      PaymentsErrorCode.AmountMismatch,
      `paid ${c.amountMinor} ${c.currency}, expected ${p.amountMinor} ${p.currency}`,
    );
  if (!c.providerEventId)
    throw new PaymentsError(
      PaymentsErrorCode.PurchaseNotPayable,
      'a confirmation needs the provider event id',
    );
}
