import { describe, expect, it } from 'vitest';
import { BadDeviceHeaderError, deviceFromHeaders } from './device-headers';

describe('device headers of a feed request', () => {
  it('reads the device an app describes, trimmed', () => {
    expect(
      deviceFromHeaders({
        'x-hwid': ' 3f9a1c2b7d ',
        'x-device-os': 'Android',
        'x-ver-os': '14',
        'x-device-model': 'Pixel 8 Pro',
        'user-agent': 'Happ/1.63.1/android',
      }),
    ).toEqual({
      hwid: '3f9a1c2b7d',
      deviceOs: 'Android',
      osVersion: '14',
      deviceModel: 'Pixel 8 Pro',
      userAgent: 'Happ/1.63.1/android',
    });
  });

  it('is no device without x-hwid (or with an empty one)', () => {
    expect(deviceFromHeaders({ 'x-device-os': 'iOS' })).toBeUndefined();
    expect(deviceFromHeaders({ 'x-hwid': '   ' })).toBeUndefined();
  });

  it('keeps a model name in any script', () => {
    expect(deviceFromHeaders({ 'x-hwid': 'abc', 'x-device-model': 'Телефон Маши' })?.deviceModel).toBe(
      'Телефон Маши',
    );
  });

  it.each([
    [{ 'x-hwid': 'a'.repeat(129) }, /x-hwid must be 1 to 128/],
    [{ 'x-hwid': 'has space' }, /x-hwid must be/],
    [{ 'x-hwid': 'ok', 'x-device-os': 'x'.repeat(65) }, /x-device-os must be at most 64/],
    [{ 'x-hwid': 'ok', 'x-ver-os': '1\u0000' }, /x-ver-os must be at most 64 printable/],
    [{ 'x-hwid': 'ok', 'x-device-model': 'm'.repeat(65) }, /x-device-model must be at most 64/],
  ])('refuses %o with a clear error', (headers, message) => {
    expect(() => deviceFromHeaders(headers)).toThrow(BadDeviceHeaderError);
    expect(() => deviceFromHeaders(headers)).toThrow(message);
  });

  it('cuts an overlong user agent instead of refusing the device', () => {
    expect(deviceFromHeaders({ 'x-hwid': 'ok', 'user-agent': 'u'.repeat(1000) })?.userAgent).toHaveLength(
      256,
    );
  });
});
