import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';

// A clone under /root (or any 0700 directory) as root: the server runs as `postgres`, which cannot enter it.
describe('embedded PostgreSQL in a private (0700) directory', () => {
  const servers: EmbeddedPostgresServer[] = [];
  let parent: string | undefined;

  afterAll(async () => {
    for (const s of servers) await s.removeData();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('starts, answers queries and restarts on the same data without loosening the directory', async () => {
    parent = await mkdtemp(join(tmpdir(), 'vpnbot-private-'));
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    const dataDir = join(parent, 'project', '.data');
    await mkdir(dataDir, { recursive: true });
    const lines: string[] = [];

    const first = new EmbeddedPostgresServer({ dataDir, port: 0, info: (l) => lines.push(l) });
    servers.push(first);
    const url = await first.start();
    await expect(query(url, 'SELECT 41 + 1 AS n')).resolves.toBe(42);
    await query(url, 'CREATE TABLE kept (id int)');
    await first.stop();

    const second = new EmbeddedPostgresServer({ dataDir, port: 0 });
    servers.push(second);
    const again = await second.start();
    await expect(
      query(again, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'"),
    ).resolves.toBe(1);
    expect(second.dataDir).toBe(first.dataDir);

    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    if (userInfo().uid === 0) {
      expect(first.dataDir.startsWith(parent)).toBe(false);
      expect(lines.join('\n')).toContain(`its cluster lives in ${first.dataDir}`);
    } else {
      expect(first.dataDir).toBe(join(dataDir, 'postgres'));
    }
  });
});

async function query(url: string, sql: string): Promise<number | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(sql);
    return rows[0]?.n;
  } finally {
    await client.end();
  }
}
