import { Agent, request } from 'node:http';
import { percentile } from './percentile';

/**
 * The webhook bench's load generator, run as its own process so that sending and timing deliveries does not
 * share an event loop with the servers it measures. Argument: a JSON {url, secret, concurrency, requests,
 * firstUpdateId}; prints {p50, p99, perSecond}. node:http with keep-alive, as Telegram reuses its connections.
 */
interface Job {
  url: string;
  secret: string;
  concurrency: number;
  requests: number;
  firstUpdateId: number;
}

function update(id: number): string {
  const chat = 10_000 + (id % 500);
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      from: { id: chat, is_bot: false, first_name: 'Bench', language_code: 'en' },
      chat: { id: chat, type: 'private', first_name: 'Bench' },
      date: Math.floor(Date.now() / 1000),
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  });
}

function post(agent: Agent, url: URL, secret: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-telegram-bot-api-secret-token': secret,
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.requests) {
        const body = update(job.firstUpdateId + next++);
        const s = performance.now();
        const status = await post(agent, url, job.secret, body);
        if (status !== 200) throw new Error(`webhook answered ${status}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  process.stdout.write(
    JSON.stringify({
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      perSecond: job.requests / seconds,
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
