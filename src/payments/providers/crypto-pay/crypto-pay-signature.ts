import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The HMAC key: SHA-256 of the app token as the raw 32-byte digest, not its hex form. */
function signingKey(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function signCryptoPayBody(token: string, body: string | Buffer): string {
  return createHmac('sha256', signingKey(token)).update(body).digest('hex');
}

/** Libraries that re-serialise the body differ on escaped `/` and `\uXXXX`: that form is a fallback. */
export function verifyCryptoPaySignature(v: {
  token: string;
  signature: string | undefined;
  rawBody: Buffer | undefined;
  parsedBody?: unknown;
}): boolean {
  if (!v.signature || !/^[0-9a-fA-F]{64}$/.test(v.signature)) return false;
  const given = Buffer.from(v.signature, 'hex');
  const matches = (body: string | Buffer) => {
    const expected = Buffer.from(signCryptoPayBody(v.token, body), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  if (v.rawBody && matches(v.rawBody)) return true;
  return v.parsedBody !== undefined && matches(JSON.stringify(v.parsedBody));
}
