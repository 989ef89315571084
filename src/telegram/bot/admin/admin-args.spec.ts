import { describe, expect, it } from 'vitest';
import {
  commandArgs,
  parseBroadcast,
  parseDays,
  parseGrant,
  parsePurchaseId,
  parseRetry,
  parseUserRef,
} from './admin-args';

describe('admin command arguments', () => {
  it('splits the words after the command, also when the command names the bot', () => {
    expect(commandArgs('/grant@fake_vpn_bot  42   7 ')).toEqual(['42', '7']);
    expect(commandArgs('/stats')).toEqual([]);
  });

  it('reads a user by numeric id or by @username, nothing else', () => {
    expect(parseUserRef('123456')).toEqual({ id: 123456 });
    expect(parseUserRef('@Some_user')).toEqual({ username: 'Some_user' });
    expect(parseUserRef('some_user')).toBeNull();
    expect(parseUserRef('12a')).toBeNull();
    expect(parseUserRef('0')).toBeNull();
  });

  it('accepts whole positive days up to ten years and refuses text, zero, negatives and fractions', () => {
    expect(parseDays('30')).toBe(30);
    expect(parseDays('3650')).toBe(3650);
    for (const bad of ['0', '-5', '1.5', 'ten', '3651', '', undefined]) expect(parseDays(bad)).toBeNull();
  });

  it('needs exactly a user id and days for a grant', () => {
    expect(parseGrant(['42', '7'])).toEqual({ userId: 42, days: 7 });
    expect(parseGrant(['42'])).toBeNull();
    expect(parseGrant(['@bob', '7'])).toBeNull();
    expect(parseGrant(['42', '7', 'extra'])).toBeNull();
  });

  it('retries one operation by id or all of them', () => {
    expect(parseRetry(['all'])).toEqual({ all: true });
    expect(parseRetry(['15'])).toEqual({ id: '15' });
    expect(parseRetry(['x'])).toBeNull();
    expect(parseRetry([])).toBeNull();
  });

  it('refunds only a purchase uuid', () => {
    const id = '0b8c3a6e-1f2d-4c5b-9a7e-123456789abc';
    expect(parsePurchaseId([id.toUpperCase()])).toBe(id);
    expect(parsePurchaseId(['42'])).toBeNull();
  });

  it('parses broadcasts: audience and multi-line text, a replied message, stop, and the bare command', () => {
    expect(parseBroadcast('/broadcast all Hello\nworld')).toEqual({
      kind: 'start',
      audience: 'all',
      text: 'Hello\nworld',
    });
    expect(parseBroadcast('/broadcast active', 'From the reply')).toEqual({
      kind: 'start',
      audience: 'active',
      text: 'From the reply',
    });
    expect(parseBroadcast('/broadcast stop 12')).toEqual({ kind: 'stop', id: '12' });
    expect(parseBroadcast('/broadcast')).toEqual({ kind: 'list' });
    expect(parseBroadcast('/broadcast everyone hi')).toBeNull();
    expect(parseBroadcast('/broadcast all')).toBeNull();
    expect(parseBroadcast(`/broadcast all ${'x'.repeat(4097)}`)).toBeNull();
  });
});
