import { describe, expect, it } from 'vitest';
import { discountedPrice } from './discount';

describe('discountedPrice', () => {
  it('takes the percent off and rounds to the nearest minor unit', () => {
    expect(discountedPrice(19900, 20)).toBe(15920);
    expect(discountedPrice(150, 15)).toBe(128);
  });

  it('leaves the price alone without a discount and never goes below one unit', () => {
    expect(discountedPrice(19900, null)).toBe(19900);
    expect(discountedPrice(1, 99)).toBe(1);
  });

  it('refuses a percent outside 1–99', () => {
    expect(() => discountedPrice(100, 100)).toThrow(/not possible/);
    expect(() => discountedPrice(100, 2.5)).toThrow(/not possible/);
  });
});
