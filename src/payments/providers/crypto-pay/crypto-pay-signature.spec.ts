import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCryptoPayBody, verifyCryptoPaySignature } from './crypto-pay-signature';

const token = '12345:AAbcdefghijklmnopqrstuvwxyz0123456789';
const update = {
  update_id: 7,
  update_type: 'invoice_paid',
  request_date: '2025-01-01T00:00:00.000Z',
  payload: {
    invoice_id: 1,
    status: 'paid',
    bot_invoice_url: 'https://t.me/CryptoBot?start=IVx',
    description: 'Подписка',
  },
};

// Independent re-implementations of third-party checkers.
function cryptoBotApiCheck(apiKey: string, signature: string, body: unknown): boolean {
  const secret = createHash('sha256').update(apiKey).digest();
  return createHmac('sha256', secret).update(JSON.stringify(body)).digest('hex') === signature;
}
/** aiocryptopay `check_signature(body_text, …)`: HMAC over the raw body text. */
function aiocryptopayCheck(apiKey: string, bodyText: string, signature: string): boolean {
  const secret = createHash('sha256').update(apiKey, 'utf8').digest();
  return createHmac('sha256', secret).update(bodyText, 'utf8').digest('hex') === signature;
}

describe('Crypto Pay webhook signature', () => {
  const body = JSON.stringify(update);

  it('is accepted by two independent third-party checkers', () => {
    const sig = signCryptoPayBody(token, body);
    expect(cryptoBotApiCheck(token, sig, JSON.parse(body))).toBe(true);
    expect(aiocryptopayCheck(token, body, sig)).toBe(true);
  });

  it('verifies over the raw body', () => {
    const sig = signCryptoPayBody(token, body);
    expect(verifyCryptoPaySignature({ token, signature: sig, rawBody: Buffer.from(body) })).toBe(true);
  });

  it('verifies a body with escaped slashes through the raw bytes, where re-serialising fails', () => {
    const escaped = body.replace(/\//g, '\\/');
    const sig = signCryptoPayBody(token, escaped);
    expect(cryptoBotApiCheck(token, sig, JSON.parse(escaped))).toBe(false);
    expect(
      verifyCryptoPaySignature({
        token,
        signature: sig,
        rawBody: Buffer.from(escaped),
        parsedBody: JSON.parse(escaped),
      }),
    ).toBe(true);
  });

  it('falls back to the re-serialised parsed body when the raw body is not available', () => {
    const sig = signCryptoPayBody(token, body);
    expect(verifyCryptoPaySignature({ token, signature: sig, rawBody: undefined, parsedBody: update })).toBe(
      true,
    );
  });

  it('rejects a signature made with another token', () => {
    const sig = signCryptoPayBody(`${token}x`, body);
    expect(
      verifyCryptoPaySignature({ token, signature: sig, rawBody: Buffer.from(body), parsedBody: update }),
    ).toBe(false);
  });

  it('rejects a missing, short or non-hex signature without throwing', () => {
    const raw = Buffer.from(body);
    const sig = signCryptoPayBody(token, body);
    for (const signature of [undefined, '', sig.slice(0, 63), `${sig}00`, 'z'.repeat(64)])
      expect(verifyCryptoPaySignature({ token, signature, rawBody: raw, parsedBody: update })).toBe(false);
  });

  it('rejects a tampered body', () => {
    const sig = signCryptoPayBody(token, body);
    const tampered = body.replace('"invoice_id":1', '"invoice_id":2');
    expect(
      verifyCryptoPaySignature({
        token,
        signature: sig,
        rawBody: Buffer.from(tampered),
        parsedBody: JSON.parse(tampered),
      }),
    ).toBe(false);
  });
});
