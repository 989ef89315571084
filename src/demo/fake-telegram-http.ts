import type { IncomingMessage, ServerResponse } from 'node:http';

export function ok(res: ServerResponse, result: unknown): void {
  reply(res, 200, { ok: true, result });
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json') && raw.length)
    return { ...query, ...(JSON.parse(raw.toString()) as object) };
  if (type.includes('application/x-www-form-urlencoded'))
    return { ...query, ...Object.fromEntries(new URLSearchParams(raw.toString())) };
  if (type.includes('multipart/form-data')) return { ...query, ...parseMultipart(raw, type) };
  return query;
}

const uploads = new WeakMap<object, Buffer>();

/** The bytes of a file the bot uploaded (a recorded `{ file: true }` parameter), e.g. a QR code photo. */
export function uploadedFile(param: unknown): Buffer | undefined {
  return typeof param === 'object' && param !== null ? uploads.get(param) : undefined;
}

function parseMultipart(raw: Buffer, type: string): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) return {};
  const sep = `--${boundary[1] ?? boundary[2]}`;
  const out: Record<string, unknown> = {};
  for (const part of raw.toString('latin1').split(sep).slice(1, -1)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    const body = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    if (/filename=/.test(head)) {
      const file = { file: true, bytes: Buffer.from(body, 'latin1').length };
      uploads.set(file, Buffer.from(body, 'latin1'));
      out[name] = file;
    } else out[name] = Buffer.from(body, 'latin1').toString();
  }
  return out;
}
