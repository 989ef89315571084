import { signCryptoPayBody } from '../payments/providers/crypto-pay/crypto-pay-signature';

export interface WebhookOptions {
  times?: number;
  delayMs?: number;
  signature?: 'valid' | 'wrong' | 'garbage' | 'missing';
  escapeSlashes?: boolean;
  escapeNonAscii?: boolean;
  updateId?: number;
  requestDate?: string;
  timeoutMs?: number;
}

export interface WebhookDelivery {
  status: number;
  body: string;
  sentBody: string;
}

export async function sendCryptoPayWebhook(
  url: string,
  token: string,
  update: unknown,
  o: WebhookOptions = {},
): Promise<WebhookDelivery[]> {
  const body = serialise(update, o);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.signature === 'wrong') headers['crypto-pay-api-signature'] = signCryptoPayBody(`${token}x`, body);
  else if (o.signature === 'garbage') headers['crypto-pay-api-signature'] = 'not-a-signature';
  else if (o.signature !== 'missing') headers['crypto-pay-api-signature'] = signCryptoPayBody(token, body);
  const out: WebhookDelivery[] = [];
  for (let i = 0; i < (o.times ?? 1); i++) {
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
    });
    out.push({ status: res.status, body: await res.text(), sentBody: body });
  }
  return out;
}

export function serialise(
  update: unknown,
  o: Pick<WebhookOptions, 'escapeSlashes' | 'escapeNonAscii'>,
): string {
  let body = JSON.stringify(update);
  if (o.escapeSlashes) body = body.replace(/\//g, '\\/');
  if (o.escapeNonAscii)
    body = body.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return body;
}
