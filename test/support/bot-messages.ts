import type { SentCall } from '../../src/demo/fake-telegram';

/** A button of an inline keyboard the bot sent. */
export interface Button {
  text: string;
  callback_data?: string;
  url?: string;
}

export function textOf(c: SentCall): string {
  const p = c.params as { text?: unknown; caption?: unknown; title?: unknown; description?: unknown };
  return String(p.text ?? p.caption ?? [p.title, p.description].filter(Boolean).join(' ') ?? '');
}

export function buttonsOf(c: SentCall): Button[] {
  let markup = (c.params as { reply_markup?: unknown }).reply_markup;
  if (typeof markup === 'string') {
    try {
      markup = JSON.parse(markup) as unknown;
    } catch {
      return [];
    }
  }
  const rows = (markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat();
}

/** One line for a failure message: the text and the buttons. */
export function describe(c: SentCall): string {
  const buttons = buttonsOf(c).map((b) => `[${b.text}]`);
  return `${textOf(c).slice(0, 200)} ${buttons.join(' ')}`.trim();
}
