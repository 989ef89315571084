import { describe, expect, it } from 'vitest';
import { escapeHtml, renderTelegramHtml } from './telegram-html';

describe('renderTelegramHtml', () => {
  it("keeps Telegram's formatting tags", () => {
    expect(renderTelegramHtml('<b>bold</b> <i>it</i> <code>x</code> <pre>p</pre> <s>s</s> <u>u</u>')).toBe(
      '<b>bold</b> <i>it</i> <code>x</code> <pre>p</pre> <s>s</s> <u>u</u>',
    );
    expect(renderTelegramHtml('<blockquote>q</blockquote><tg-spoiler>h</tg-spoiler>')).toBe(
      '<blockquote>q</blockquote><tg-spoiler class="tg-spoiler">h</tg-spoiler>',
    );
    expect(renderTelegramHtml('<span class="tg-spoiler">h</span>')).toBe('<span class="tg-spoiler">h</span>');
  });

  it('turns a script tag into visible text', () => {
    expect(renderTelegramHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('drops attributes such as onclick from allowed tags', () => {
    expect(renderTelegramHtml('<b onclick="alert(1)">x</b>')).toBe('<b>x</b>');
    expect(renderTelegramHtml('<span onclick="x">y</span>')).toBe(
      '&lt;span onclick=&quot;x&quot;&gt;y&lt;/span&gt;',
    );
  });

  it('keeps only web and tg: links, without other attributes', () => {
    expect(renderTelegramHtml('<a href="https://t.me/x" onmouseover="bad()">t</a>')).toBe(
      '<a href="https://t.me/x" target="_blank" rel="noopener noreferrer">t</a>',
    );
    expect(renderTelegramHtml('<a href="javascript:alert(1)">t</a>')).toBe('<a>t</a>');
  });

  it('renders entities the bot wrote exactly once', () => {
    expect(renderTelegramHtml('Tom &amp; Jerry &lt;3 &#33;')).toBe('Tom &amp; Jerry &lt;3 &#33;');
    expect(renderTelegramHtml('a & b > c')).toBe('a &amp; b &gt; c');
  });

  it("keeps a user's name that the bot escaped as literal text", () => {
    // The bot sends a first name `<b>x</b>` escaped: the page must show the tags, not bold text.
    expect(renderTelegramHtml('Hi, &lt;b&gt;x&lt;/b&gt;')).toBe('Hi, &lt;b&gt;x&lt;/b&gt;');
  });

  it('closes tags the bot left open and ignores stray closing tags', () => {
    expect(renderTelegramHtml('<b>open')).toBe('<b>open</b>');
    expect(renderTelegramHtml('x</i>')).toBe('x&lt;/i&gt;');
  });

  it('works as shipped source in a page (no outside references)', () => {
    const shipped = new Function(`return (${renderTelegramHtml.toString()})`)() as typeof renderTelegramHtml;
    expect(shipped('<b>a</b><script>')).toBe('<b>a</b>&lt;script&gt;');
  });
});

describe('escapeHtml', () => {
  it('escapes every markup character of plain text', () => {
    expect(escapeHtml('<b>&"')).toBe('&lt;b&gt;&amp;&quot;');
  });
});
