import { describe, expect, it } from 'vitest';
import { notificationKeyboard, renderNotification } from './notification.view';

describe('notification texts', () => {
  it('shows a Stars payment in Stars, not as hundredths of a currency', () => {
    const text = renderNotification(
      'payment_received',
      { amountMinor: 150, currency: 'XTR', expiresAt: '2026-12-24T10:00:00Z' },
      'en',
    );
    expect(text).toContain('150 ⭐');
    expect(text).not.toContain('1.50');
  });

  it('dates notices in UTC like every screen, in the user’s language', () => {
    const text = renderNotification('subscription_renewed', { expiresAt: '2026-12-24T23:30:00Z' }, 'ru-RU');
    expect(text).toMatch(/^🔄 Подписка продлена до 24 декабря 2026.* 23:30 UTC\. Ключ остаётся прежним\.$/);
  });

  it('offers the main menu’s own buttons as the next step', () => {
    expect(notificationKeyboard('key_ready', 'en')).toEqual({
      inline_keyboard: [[{ text: '🔑 My subscription', callback_data: 'sub' }]],
    });
    expect(notificationKeyboard('renewal_failed_insufficient_funds', 'ru')?.inline_keyboard[0]).toEqual([
      { text: '💰 Баланс и пополнение', callback_data: 'bal' },
      { text: '🛒 Купить / продлить', callback_data: 'plans' },
    ]);
    expect(notificationKeyboard('refund_processed', 'en')).toBeUndefined();
  });

  it('puts the gift link button under a paid-gift notice, and names the refund to the balance', () => {
    const giftId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(notificationKeyboard('gift_paid', 'ru', { giftId })).toEqual({
      inline_keyboard: [[{ text: '🔗 Получить ссылку', callback_data: `gl:${giftId}` }]],
    });
    expect(renderNotification('gift_refunded', { amountMinor: 19_900, currency: 'RUB' }, 'en')).toMatch(
      /RUB\s199 went back to your balance/,
    );
  });

  it('states the traffic used and the limit in the user’s units and language', () => {
    const p = { usedBytes: 8 * 1024 ** 3, limitBytes: 10 * 1024 ** 3, reset: 'period' };
    expect(renderNotification('traffic_warning', p, 'en')).toBe(
      "📶 You have used 80% of this period's traffic (8 GB / 10 GB).",
    );
    expect(renderNotification('traffic_exhausted', { ...p, reset: 'monthly' }, 'ru')).toBe(
      '⛔ Трафик за период исчерпан (8 ГБ / 10 ГБ): ключ приостановлен до начала следующего месяца или продления.',
    );
    expect(notificationKeyboard('traffic_exhausted', 'en')?.inline_keyboard[0]).toEqual([
      { text: '🛒 Buy / renew', callback_data: 'plans' },
    ]);
  });
});
