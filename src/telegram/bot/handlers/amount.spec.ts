import { describe, expect, it } from 'vitest';
import { CB, CB_PATTERN, parseMinor } from '../views/callback-data';
import { parseAmountMinor } from './amount';
import { commandOf } from './bot-middleware';

describe('typed top-up amounts', () => {
  it.each([
    ['250', 25_000],
    ['250.5', 25_050],
    ['250,05', 25_005],
    ['1 000', 100_000],
    [' 1\u00a0500 ', 150_000],
    ['0', 0],
    ['۲۵۰', 25_000],
    ['۱٬۵۰۰٫۵', 150_050],
    ['٢٥٠', 25_000],
  ])('reads %j as %i minor units', (text, minor) => {
    expect(parseAmountMinor(text)).toBe(minor);
  });

  it.each(['', 'two hundred', '-5', '1e3', '10.123', '0x10', '250 RUB', '1/2', '12345678901'])(
    'refuses %j',
    (text) => {
      expect(parseAmountMinor(text)).toBeUndefined();
    },
  );
});

describe('callback data', () => {
  it('fits Telegram’s 64-byte limit at the longest plan code and amount', () => {
    const code = 'a'.repeat(32);
    const all = [
      CB.plan(code),
      CB.payBalance(code),
      CB.payBalanceConfirm(code, 'A'.repeat(16)),
      CB.payCrypto(code),
      CB.payStars(code),
      CB.topup(999_999_999_999),
      CB.topupCrypto(999_999_999_999),
      CB.topupStars(999_999_999_999),
      CB.reissueConfirm,
      CB.autoRenew(true),
    ];
    for (const data of all) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
  });

  it('matches what it builds and nothing malformed', () => {
    expect(CB_PATTERN.payBalanceConfirm.exec(CB.payBalanceConfirm('1m', 'AbC-_123'))?.slice(1)).toEqual([
      '1m',
      'AbC-_123',
    ]);
    expect(CB_PATTERN.plan.test('plan:1M')).toBe(false);
    expect(CB_PATTERN.topup.test('tu:0')).toBe(false);
    expect(CB_PATTERN.topup.test('tu:12abc')).toBe(false);
    expect(parseMinor('9007199254740993')).toBeUndefined();
  });
});

describe('commands', () => {
  it('names the command with or without the bot username, and nothing else', () => {
    expect(commandOf('/grant@fake_vpn_bot 5 7')).toBe('grant');
    expect(commandOf('/Stats')).toBe('stats');
    expect(commandOf('hello /stats')).toBeUndefined();
    expect(commandOf('/')).toBeUndefined();
  });
});
