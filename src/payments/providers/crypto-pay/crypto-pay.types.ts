/** Shapes of the Crypto Pay API (help.crypt.bot/crypto-pay-api). */

export type CryptoPayInvoiceStatus = 'active' | 'paid' | 'expired';

export interface CryptoPayInvoice {
  invoice_id: number;
  hash: string;
  currency_type: 'crypto' | 'fiat';
  asset?: string;
  fiat?: string;
  /** Decimal string, e.g. "199.00": never parsed into a float. */
  amount: string;
  status: CryptoPayInvoiceStatus;
  bot_invoice_url: string;
  mini_app_invoice_url?: string;
  web_app_invoice_url?: string;
  pay_url?: string;
  description?: string;
  hidden_message?: string;
  payload?: string;
  created_at: string;
  expiration_date?: string;
  paid_at?: string;
  paid_anonymously?: boolean;
  allow_comments: boolean;
  allow_anonymous: boolean;
  accepted_assets?: string[] | string;
  paid_asset?: string;
  paid_amount?: string;
  paid_fiat_rate?: string;
  paid_usd_rate?: string;
  fee_asset?: string;
  fee_amount?: string | number;
  fee_in_usd?: string;
}

export interface CryptoPayUpdate {
  update_id: number;
  update_type: string;
  request_date: string;
  payload: CryptoPayInvoice;
}

export interface CryptoPayApp {
  app_id: number;
  name: string;
  payment_processing_bot_username: string;
}

export type CryptoPayEnvelope<T> =
  { ok: true; result: T } | { ok: false; error: { code: number; name: string } };
