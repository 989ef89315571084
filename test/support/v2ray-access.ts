import { createServer, type Server } from 'node:http';
import { connect, isIPv4 } from 'node:net';
import type { AddressInfo } from 'node:net';

export const TARGET_BODY = 'hello-from-target';

/**
 * The only destination the test cores may reach: a local HTTP server answering a fixed body, after
 * `padBytes` of filler when set (to push a known amount of traffic through a tunnel).
 */
export async function startTargetServer(
  opts: { padBytes?: number } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const body = '.'.repeat(opts.padBytes ?? 0) + TARGET_BODY;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/**
 * Raw VLESS request (reference §9): version 0, UUID, no addons, TCP command, target <host>:<targetPort>
 * (127.0.0.1 unless told; a name is sent as a domain), then an HTTP GET. Accepted users get `00 00` followed
 * by the target's answer; refused ones a closed socket.
 */
export function vlessGet(opts: {
  vlessPort: number;
  uuid: string;
  targetPort: number;
  host?: string;
  timeoutMs?: number;
}): Promise<{ accepted: boolean; body: string }> {
  const id = Buffer.from(opts.uuid.replace(/-/g, ''), 'hex');
  const port = Buffer.alloc(2);
  port.writeUInt16BE(opts.targetPort);
  const host = opts.host ?? '127.0.0.1';
  const address = isIPv4(host)
    ? Buffer.from([0x01, ...host.split('.').map(Number)])
    : Buffer.concat([Buffer.from([0x02, host.length]), Buffer.from(host)]);
  const header = Buffer.concat([Buffer.from([0x00]), id, Buffer.from([0x00, 0x01]), port, address]);
  const http = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port: opts.vlessPort });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`VLESS request timed out after ${opts.timeoutMs ?? 5_000} ms`));
    }, opts.timeoutMs ?? 5_000);
    s.once('connect', () => s.write(Buffer.concat([header, http])));
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      // The core may keep the tunnel open for a while after the target closed: stop at the answer.
      if (Buffer.concat(chunks).includes(TARGET_BODY)) s.destroy();
    });
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      if (all.length < 2 || all[0] !== 0x00) return resolve({ accepted: false, body: '' });
      const rest = all.subarray(2 + all[1]).toString();
      resolve({ accepted: rest.includes(TARGET_BODY), body: rest });
    });
  });
}
