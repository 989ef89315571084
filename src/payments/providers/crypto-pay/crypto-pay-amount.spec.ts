import { describe, expect, it } from 'vitest';
import { decimalStringToMinor, isCryptoPayFiat, minorToDecimalString } from './crypto-pay-amount';

describe('Crypto Pay amounts', () => {
  it('turns minor units into a two-digit decimal string', () => {
    expect(minorToDecimalString(19_900)).toBe('199.00');
    expect(minorToDecimalString(249)).toBe('2.49');
    expect(minorToDecimalString(5)).toBe('0.05');
    expect(minorToDecimalString(12_345_678_901)).toBe('123456789.01');
  });

  it('refuses zero, negative and fractional minor units', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => minorToDecimalString(bad)).toThrow(RangeError);
  });

  it('parses decimal strings back into minor units exactly', () => {
    expect(decimalStringToMinor('199.00')).toBe(19_900);
    expect(decimalStringToMinor('199.5')).toBe(19_950);
    expect(decimalStringToMinor('199')).toBe(19_900);
    expect(decimalStringToMinor('0.10000000')).toBe(10);
    expect(decimalStringToMinor('0.001')).toBeNull();
    expect(decimalStringToMinor('1e3')).toBeNull();
    expect(decimalStringToMinor('-1.00')).toBeNull();
  });

  it('knows which fiat currencies Crypto Pay invoices accept', () => {
    expect(isCryptoPayFiat('RUB')).toBe(true);
    expect(isCryptoPayFiat('USD')).toBe(true);
    expect(isCryptoPayFiat('XTR')).toBe(false);
  });
});
