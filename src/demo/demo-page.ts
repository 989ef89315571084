/// <reference lib="dom" />
import type { DemoUser } from './demo-services';
import { escapeHtml, renderTelegramHtml } from './telegram-html';

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#e7ebf0;color:#111}
.banner{background:#fff3cd;border-bottom:1px solid #e0c36a;padding:10px 16px}
.banner code{background:#fff;padding:1px 4px;border-radius:4px}
.bar{display:flex;gap:8px;align-items:center;padding:8px 16px;background:#517da2;color:#fff;flex-wrap:wrap}
.bar select,.bar input{font:inherit;padding:3px 6px}
#chat{max-width:720px;margin:0 auto;padding:12px 16px 90px;display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;box-shadow:0 1px 1px #0002}
.bot{background:#fff;align-self:flex-start}.me{background:#dcf8c6;align-self:flex-end}
.msg img{display:block;max-width:260px;margin-bottom:6px}
.kb{display:flex;flex-direction:column;gap:4px;margin-top:6px;white-space:normal}.row{display:flex;gap:4px}
.row button,.row a{flex:1;font:inherit;padding:6px;border:0;border-radius:6px;background:#e1ebf5;color:#2a5885;cursor:pointer;text-align:center;text-decoration:none}
.invoice{border-left:3px solid #f5a623;padding-left:8px}
.checkout{margin-top:6px;padding:8px;border:1px dashed #2a5885;border-radius:6px;white-space:normal}
.tg-spoiler{background:#999;color:transparent}.tg-spoiler:hover{color:inherit;background:#ddd}
pre,code{font-family:ui-monospace,monospace;background:#f3f3f3;border-radius:4px}pre{padding:6px;white-space:pre-wrap}
blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #517da2}
.toast{position:fixed;top:110px;left:50%;transform:translateX(-50%);background:#333c;color:#fff;padding:6px 14px;border-radius:8px}
form{position:fixed;bottom:0;left:0;right:0;display:flex;gap:8px;padding:10px 16px;background:#fff;border-top:1px solid #ccc}
form input{flex:1;font:inherit;padding:8px}form button{font:inherit;padding:8px 16px}
`;

// Runs in the browser. `render` and `esc` are the sanitiser's own source (see demoPage).
function client(users: DemoUser[], render: (s: string) => string, esc: (s: string) => string): void {
  const $ = (sel: string) => document.querySelector(sel) as HTMLElement;
  const chat = $('#chat');
  const userSel = $('#user') as HTMLSelectElement;
  const langSel = $('#lang') as HTMLSelectElement;
  const nameIn = $('#name') as HTMLInputElement;
  for (const u of users)
    userSel.add(new Option(`${u.firstName}${u.admin ? ' (admin)' : ''} · ${u.id}`, String(u.id)));
  let user = users[0].id;
  let after = 0;
  let generation = 0;
  let byId = new Map<number, HTMLElement>();

  const from = () => ({ lang: langSel.value, firstName: nameIn.value || undefined });
  const post = async (path: string, body: object) => {
    const r = await fetch(`/demo/api/chat/${user}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...from(), ...body }),
    });
    return (await r.json()) as Record<string, unknown>;
  };
  const toast = (text: string) => {
    const t = document.createElement('div');
    t.className = 'toast';
    t.textContent = text;
    document.body.append(t);
    setTimeout(() => t.remove(), 2500);
  };
  const scroll = () => window.scrollTo(0, document.body.scrollHeight);

  type Btn = { text: string; callbackData?: string; url?: string; cryptoInvoiceId?: number };
  const keyboard = (el: HTMLElement, rows: Btn[][] | undefined, messageId: number) => {
    if (rows === undefined) return;
    el.querySelector(':scope > .kb')?.remove();
    if (!rows.length) return;
    const kb = document.createElement('div');
    kb.className = 'kb';
    for (const row of rows) {
      const r = document.createElement('div');
      r.className = 'row';
      for (const b of row) {
        if (b.url && b.cryptoInvoiceId === undefined) {
          const a = document.createElement('a');
          a.href = /^(https?:|tg:)/.test(b.url) ? b.url : '#';
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          a.textContent = b.text;
          r.append(a);
          continue;
        }
        const button = document.createElement('button');
        button.textContent = b.text;
        if (b.callbackData !== undefined) button.dataset.callback = b.callbackData;
        if (b.cryptoInvoiceId !== undefined) button.className = 'crypto-invoice';
        button.onclick = () => {
          if (b.callbackData !== undefined) void post('press', { data: b.callbackData, messageId });
          else if (b.cryptoInvoiceId !== undefined) checkout(el, b.cryptoInvoiceId);
          else {
            mine(b.text);
            void post('message', { text: b.text });
          }
        };
        r.append(button);
      }
      kb.append(r);
    }
    el.append(kb);
  };
  const checkout = (el: HTMLElement, invoiceId: number) => {
    if (el.querySelector('.checkout')) return;
    const box = document.createElement('div');
    box.className = 'checkout';
    box.textContent = `Crypto Pay (demo stand-in): invoice #${invoiceId} `;
    const pay = document.createElement('button');
    pay.textContent = 'Pay';
    pay.className = 'pay-crypto';
    pay.onclick = async () => {
      pay.disabled = true;
      const r = await post('pay-crypto', { invoiceId });
      box.textContent = r.ok
        ? '✓ Paid: Crypto Pay sent the signed webhook to the bot'
        : `✗ ${JSON.stringify(r)}`;
    };
    box.append(pay);
    el.append(box);
  };
  const mine = (text: string) => {
    const m = document.createElement('div');
    m.className = 'msg me';
    m.textContent = text;
    chat.append(m);
    scroll();
  };
  const setText = (el: HTMLElement, text: string, html: boolean) => {
    let t = el.querySelector(':scope > .text');
    if (!t) {
      t = document.createElement('div');
      t.className = 'text';
      el.prepend(t);
    }
    t.innerHTML = html ? render(text) : esc(text);
  };

  type Ev = {
    seq: number;
    kind: string;
    messageId?: number;
    text?: string;
    html?: boolean;
    buttons?: Btn[][];
    photoUrl?: string;
    invoice?: { title: string; description: string; stars: number };
  };
  const apply = (e: Ev) => {
    if (e.kind === 'toast') return toast(e.text ?? '');
    const el = e.messageId === undefined ? undefined : byId.get(e.messageId);
    if (e.kind === 'delete') return el?.remove();
    if (e.kind === 'edit') {
      if (!el) return;
      if (e.text !== undefined) setText(el, e.text, !!e.html);
      return keyboard(el, e.buttons, e.messageId!);
    }
    const m = document.createElement('div');
    m.className = 'msg bot';
    if (e.messageId !== undefined) {
      m.dataset.messageId = String(e.messageId);
      byId.set(e.messageId, m);
    }
    if (e.photoUrl) {
      const img = document.createElement('img');
      img.src = e.photoUrl;
      img.alt = 'QR code';
      m.append(img);
    }
    if (e.invoice) {
      const inv = document.createElement('div');
      inv.className = 'invoice';
      const title = document.createElement('b');
      title.textContent = e.invoice.title;
      inv.append(title, document.createTextNode(`\n${e.invoice.description}`));
      m.append(inv);
      const stars = e.invoice.stars;
      const pay = document.createElement('button');
      pay.className = 'pay-stars';
      pay.textContent = `Pay ⭐ ${stars}`;
      pay.onclick = async () => {
        pay.disabled = true;
        const r = await post('pay-stars', { messageId: e.messageId });
        if (!r.ok) toast(`Payment refused: ${String(r.error ?? '')}`);
      };
      const kb = document.createElement('div');
      kb.className = 'row';
      kb.append(pay);
      m.append(kb);
    }
    if (e.text !== undefined) setText(m, e.text, !!e.html);
    keyboard(m, e.buttons, e.messageId ?? 0);
    chat.append(m);
    scroll();
  };

  const poll = async () => {
    const g = generation;
    try {
      const r = await fetch(`/demo/api/chat/${user}?after=${after}`);
      const body = (await r.json()) as { next: number; events: Ev[] };
      if (g === generation) {
        after = body.next;
        body.events.forEach(apply);
      }
    } catch {
      // the app restarts or stops: keep polling
    }
    setTimeout(() => void poll(), 400);
  };
  userSel.onchange = () => {
    generation++;
    user = Number(userSel.value);
    after = 0;
    byId = new Map();
    chat.replaceChildren();
  };
  ($('form') as HTMLFormElement).onsubmit = (ev) => {
    ev.preventDefault();
    const input = $('#text') as HTMLInputElement;
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    mine(text);
    void post('message', { text });
  };
  void poll();
}

/** The web chat page: static markup, the sanitiser's source and the client above, nothing from a CDN. */
export function demoPage(users: readonly DemoUser[]): string {
  const script = `(${client.toString()})(${JSON.stringify(users).replace(/</g, '\\u003c')}, ${renderTelegramHtml.toString()}, ${escapeHtml.toString()});`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>VPN bot · demo</title><style>${STYLE}</style></head>
<body>
<div class="banner" id="banner"><b>Demo mode.</b> This is the real bot, running against built-in stand-ins of
Telegram, Crypto Pay and an Xray core on this machine: no real payments, no real VPN traffic.
To go live, start it with your bot's token: <code>BOT_TOKEN=… npm start</code></div>
<div class="bar">User <select id="user"></select> Language <select id="lang"><option value="en">English</option>
<option value="ru">Русский</option></select> Name <input id="name" placeholder="(default)" size="14"></div>
<div id="chat"></div>
<form><input id="text" placeholder="Message (try /start)" autocomplete="off" autofocus><button>Send</button></form>
<script>${script}</script>
</body></html>`;
}
