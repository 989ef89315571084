export interface FakeUser {
  id: number;
  username?: string;
  firstName?: string;
  languageCode?: string;
}

type Update = Record<string, unknown>;

export function userObj(u: FakeUser) {
  return {
    id: u.id,
    is_bot: false,
    first_name: u.firstName ?? 'User',
    username: u.username,
    language_code: u.languageCode ?? 'en',
  };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function commandEntities(text: string) {
  return text.startsWith('/')
    ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] }
    : {};
}

export function textMessage(messageId: number, user: FakeUser, chat: Update, text: string): Update {
  return {
    message: {
      message_id: messageId,
      from: userObj(user),
      chat,
      date: now(),
      text,
      ...commandEntities(text),
    },
  };
}

export function buttonPress(
  id: string,
  user: FakeUser,
  chat: { id: number; type: string },
  data: string,
  messageId: number,
): Update {
  return {
    callback_query: {
      id,
      from: userObj(user),
      chat_instance: `ci${chat.id}`,
      data,
      message: { message_id: messageId, chat, date: 0, text: '…' },
    },
  };
}

export function preCheckoutQuery(
  id: string,
  user: FakeUser,
  q: { payload: string; totalAmount: number; currency?: string },
): Update {
  return {
    pre_checkout_query: {
      id,
      from: userObj(user),
      currency: q.currency ?? 'XTR',
      total_amount: q.totalAmount,
      invoice_payload: q.payload,
    },
  };
}

export interface StarPayment {
  payload: string;
  totalAmount: number;
  chargeId: string;
}

export function starTransaction(user: FakeUser, p: StarPayment): Update {
  return {
    id: p.chargeId,
    amount: p.totalAmount,
    date: now(),
    source: { type: 'user', user: userObj(user), invoice_payload: p.payload },
  };
}

export function successfulPaymentMessage(messageId: number, user: FakeUser, p: StarPayment): Update {
  return {
    message: {
      message_id: messageId,
      from: userObj(user),
      chat: { id: user.id, type: 'private' },
      date: now(),
      successful_payment: {
        currency: 'XTR',
        total_amount: p.totalAmount,
        invoice_payload: p.payload,
        telegram_payment_charge_id: p.chargeId,
        provider_payment_charge_id: '',
      },
    },
  };
}
