/** Self-contained on purpose: the web chat ships its source to the browser. */
export function renderTelegramHtml(input: string): string {
  const simple = [
    'b',
    'strong',
    'i',
    'em',
    'u',
    'ins',
    's',
    'strike',
    'del',
    'code',
    'pre',
    'tg-spoiler',
    'blockquote',
  ];
  const escapeText = (t: string) =>
    t
      .replace(/&(?!(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
  const open: string[] = [];
  let out = '';
  let last = 0;
  const tag =
    /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/g;
  for (let m = tag.exec(input); m; m = tag.exec(input)) {
    const [whole, slash, rawName, attrs] = m;
    const name = rawName.toLowerCase();
    let html: string | undefined;
    if (slash) {
      const at = open.lastIndexOf(name);
      if (at >= 0) {
        html = '';
        while (open.length > at) html += `</${open.pop()}>`;
      }
    } else if (simple.includes(name)) {
      html = name === 'tg-spoiler' ? '<tg-spoiler class="tg-spoiler">' : `<${name}>`;
    } else if (
      name === 'span' &&
      /\bclass\s*=\s*("tg-spoiler"|'tg-spoiler'|tg-spoiler)(?=\s|$)/.test(attrs)
    ) {
      html = '<span class="tg-spoiler">';
    } else if (name === 'a') {
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/.exec(attrs);
      const url = href ? (href[1] ?? href[2] ?? href[3]).trim() : '';
      html = /^(https?:|tg:)/i.test(url)
        ? `<a href="${escapeText(url)}" target="_blank" rel="noopener noreferrer">`
        : '<a>';
    }
    if (html === undefined) continue; // not in the subset: left in the text and escaped below
    out += escapeText(input.slice(last, m.index)) + html;
    if (!slash) open.push(name);
    last = m.index + whole.length;
  }
  out += escapeText(input.slice(last));
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
