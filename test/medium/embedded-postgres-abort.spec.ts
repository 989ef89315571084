import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';

// A SIGTERM during the first start (main.ts aborts this signal) must not wait for initdb to finish.
describe('embedded PostgreSQL start-up stopped during initdb', () => {
  const servers: EmbeddedPostgresServer[] = [];
  let dataDir: string | undefined;

  afterAll(async () => {
    for (const s of servers) await s.removeData();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops initdb, leaves no half-made cluster, and the next start initialises it afresh', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vpnbot-abort-'));
    await chmod(dataDir, 0o755);
    const abort = new AbortController();
    // initdb's first output line: it is running and has begun filling the cluster directory.
    const aborted = new EmbeddedPostgresServer({
      dataDir,
      port: 0,
      abort: abort.signal,
      log: (line) => {
        if (line.includes('The files belonging to this database system')) abort.abort();
      },
    });
    servers.push(aborted);

    await expect(aborted.start()).rejects.toThrow('start-up stopped during initdb');
    expect(abort.signal.aborted).toBe(true);
    expect(existsSync(join(aborted.dataDir, 'PG_VERSION'))).toBe(false);
    expect(processesOn(aborted.dataDir)).toEqual([]);

    const again = new EmbeddedPostgresServer({ dataDir, port: 0 });
    servers.push(again);
    const url = await again.start();
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      expect((await client.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0].n).toBe(42);
    } finally {
      await client.end();
    }
    await again.stop();
  }, 120_000);
});

function processesOn(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir));
}
