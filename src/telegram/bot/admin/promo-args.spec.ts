import { describe, expect, it } from 'vitest';
import { parseDay, parseGiftCommand, parsePromo } from './promo-args';

describe('parsePromo', () => {
  it('reads a full /promo new with every option', () => {
    expect(
      parsePromo(
        'new spring25 discount 25% uses=100 from=2026-03-01 until=2026-03-31 plans=1m,3m new first'.split(
          ' ',
        ),
      ),
    ).toEqual({
      kind: 'new',
      spec: {
        code: 'SPRING25',
        kind: 'discount',
        value: 25,
        maxUses: 100,
        startsAt: new Date('2026-03-01T00:00:00Z'),
        endsAt: new Date('2026-04-01T00:00:00Z'),
        planCodes: ['1m', '3m'],
        newUsersOnly: true,
        firstPurchaseOnly: true,
      },
    });
  });

  it('reads credit amounts in major units of the balance currency', () => {
    expect(parsePromo(['new', 'GIFT100', 'credit', '99.50'])).toMatchObject({ spec: { value: 9_950 } });
  });

  it('tells list, show and off apart', () => {
    expect(parsePromo([])).toEqual({ kind: 'list' });
    expect(parsePromo(['list'])).toEqual({ kind: 'list' });
    expect(parsePromo(['summer'])).toEqual({ kind: 'show', code: 'SUMMER' });
    expect(parsePromo(['off', 'summer'])).toEqual({ kind: 'off', code: 'SUMMER' });
  });

  it('names what is wrong instead of guessing', () => {
    expect(parsePromo(['new', 'CODE1', 'days', '0'])).toMatchObject({ message: /Bad value "0" for days/ });
    expect(parsePromo(['new', 'CODE1', 'trial', '2.5'])).toMatchObject({
      message: /Bad value "2.5" for trial/,
    });
    expect(parsePromo(['new', 'CODE1', 'days', '3', 'from=tomorrow'])).toMatchObject({
      message: /from= needs a date/,
    });
    expect(parsePromo(['new', 'CODE1', 'discount', '5', 'plans=,'])).toMatchObject({
      message: /plans= needs/,
    });
    expect(parsePromo(['new', 'CODE1', 'days', '3', 'uses=1.5'])).toMatchObject({ message: /uses= needs/ });
    expect(parsePromo(['off'])).toMatchObject({ kind: 'error' });
    expect(parsePromo(['summer', 'extra'])).toMatchObject({ kind: 'error' });
  });
});

describe('parseDay', () => {
  it('refuses days that do not exist and formats other than YYYY-MM-DD', () => {
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2028-02-29')).toEqual(new Date('2028-02-29T00:00:00Z'));
    expect(parseDay('01.03.2026')).toBeNull();
  });
});

describe('parseGiftCommand', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  it('reads show and refund by gift id, anything else is the usage', () => {
    expect(parseGiftCommand([id])).toEqual({ kind: 'show', id });
    expect(parseGiftCommand(['refund', id.toUpperCase()])).toEqual({ kind: 'refund', id });
    expect(parseGiftCommand(['refund'])).toMatchObject({ kind: 'error' });
    expect(parseGiftCommand(['123'])).toMatchObject({ kind: 'error' });
  });
});
