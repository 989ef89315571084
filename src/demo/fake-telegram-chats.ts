export interface FakeChannel {
  id: number;
  username?: string;
  title?: string;
  inviteLink?: string;
  /** Telegram answers member lookups in a channel only to its admins. */
  botIsAdmin?: boolean;
  members?: number[];
}

export type ChatAnswer = { ok: true; result: unknown } | { ok: false; code: number; description: string };

/** Like Telegram, a channel the bot does not administer is "chat not found", as is a missing one. */
export class FakeChats {
  private readonly channels: (Omit<FakeChannel, 'members'> & { members: Set<number> })[] = [];
  readonly calls: { method: string; chatId: string; userId?: number }[] = [];

  addChannel(c: FakeChannel): void {
    this.channels.push({ ...c, members: new Set(c.members ?? []) });
  }

  join(chat: string | number, userId: number): void {
    this.find(String(chat))?.members.add(userId);
  }

  leave(chat: string | number, userId: number): void {
    this.find(String(chat))?.members.delete(userId);
  }

  setBotAdmin(chat: string | number, admin: boolean): void {
    const c = this.find(String(chat));
    if (c) c.botIsAdmin = admin;
  }

  answer(method: 'getChat' | 'getChatMember', params: Record<string, unknown>, botId: number): ChatAnswer {
    const chatId = String(params.chat_id as string | number);
    const userId = params.user_id === undefined ? undefined : Number(params.user_id);
    this.calls.push({ method, chatId, userId });
    const c = this.find(chatId);
    if (!c || !c.botIsAdmin) return { ok: false, code: 400, description: 'Bad Request: chat not found' };
    if (method === 'getChat')
      return {
        ok: true,
        result: {
          id: c.id,
          type: 'channel',
          title: c.title ?? c.username ?? 'Channel',
          username: c.username,
          invite_link: c.inviteLink,
        },
      };
    if (userId === undefined || !Number.isSafeInteger(userId))
      return { ok: false, code: 400, description: 'Bad Request: invalid user_id specified' };
    const status = userId === botId ? 'administrator' : c.members.has(userId) ? 'member' : 'left';
    return {
      ok: true,
      result: { status, user: { id: userId, is_bot: userId === botId, first_name: 'User' } },
    };
  }

  private find(chatId: string) {
    return this.channels.find(
      (c) =>
        String(c.id) === chatId || (!!c.username && `@${c.username}`.toLowerCase() === chatId.toLowerCase()),
    );
  }
}
