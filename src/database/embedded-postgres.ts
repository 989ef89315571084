import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  EmbeddedPostgresSetupError,
  firstLine,
  nativeDir,
  ownCluster,
  postgresUser,
  reachableBinaries,
  reachableDataDir,
  type RunAs,
} from './postgres-as-root';
import { runToEnd, startPostmaster, stopChild } from './postgres-process';

export { EmbeddedPostgresSetupError } from './postgres-as-root';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  info?: (line: string) => void;
}

interface Credentials {
  password: string;
}

/** As root the server runs as a `postgres` system user (postgres-as-root.ts); failures say what to do. */
export class EmbeddedPostgresServer {
  private child?: ChildProcess;
  private stopping?: Promise<void>;
  private clusterDir: string;
  private relocated = false;
  private port = 0;
  private readonly database: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.clusterDir = resolve(options.dataDir, 'postgres');
    this.database = options.database ?? 'vpnbot';
  }

  get dataDir(): string {
    return this.clusterDir;
  }

  get url(): string {
    if (!this.child) throw new Error('embedded PostgreSQL is not running');
    return `postgres://postgres:${encodeURIComponent(this.credentials!.password)}@127.0.0.1:${this.port}/${this.database}`;
  }

  private credentials?: Credentials;

  async start(): Promise<string> {
    const log = this.options.log ?? (() => undefined);
    const info = this.options.info ?? log;
    try {
      await mkdir(resolve(this.options.dataDir), { recursive: true });
      this.credentials = await this.loadCredentials();
    } catch (err) {
      throw new EmbeddedPostgresSetupError(
        `cannot write ${resolve(this.options.dataDir)} as uid ${userInfo().uid} (${firstLine(err)}): ` +
          'give that directory (the volume) to this user, run as root (Railway: RAILWAY_RUN_UID=0), or set DATA_DIR',
      );
    }
    this.port = this.options.port || (await freePort());

    let native = nativeDir();
    let runAs: RunAs | undefined;
    if (userInfo().uid === 0) {
      runAs = await postgresUser();
      native = await reachableBinaries(native, runAs, info);
      const where = await reachableDataDir(resolve(this.options.dataDir), runAs);
      this.clusterDir = where.dir;
      this.relocated = where.moved;
      if (where.moved) {
        info(
          `the postgres user cannot enter ${resolve(this.options.dataDir)}: its cluster lives in ${where.dir}`,
        );
      }
      await ownCluster(this.clusterDir, runAs);
    }
    await stopOrphan(this.clusterDir, info);

    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      info(`initialising embedded PostgreSQL in ${this.clusterDir}`);
      await this.initdb(native, runAs, log);
    }
    this.child = await startPostmaster(
      join(native, 'bin', 'postgres'),
      [
        '-D',
        this.clusterDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      runAs,
      log,
    );
    await this.ensureDatabase();
    return this.url;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping ??= stopChild(child).finally(() => (this.child = undefined));
    await this.stopping;
  }

  /** Removes the cluster when it was moved out of dataDir (tests that delete dataDir call this too). */
  async removeData(): Promise<void> {
    await this.stop();
    if (this.relocated) await rm(dirname(this.clusterDir), { recursive: true, force: true });
  }

  stopSync(): void {
    const pid = this.child?.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
  }

  private async initdb(native: string, runAs: RunAs | undefined, log: (l: string) => void): Promise<void> {
    // initdb reads the password from a file: one only the server's user can read, removed right after.
    const pwDir = await mkdtemp(join(tmpdir(), 'vpnbot-pw-'));
    const pwFile = join(pwDir, 'pw');
    try {
      await writeFile(pwFile, `${this.credentials!.password}\n`, { mode: 0o600 });
      if (runAs) {
        await chown(pwDir, runAs.uid, runAs.gid);
        await chown(pwFile, runAs.uid, runAs.gid);
      }
      await runToEnd(
        join(native, 'bin', 'initdb'),
        [
          `--pgdata=${this.clusterDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
          '--lc-messages=C',
        ],
        runAs,
        log,
      );
    } finally {
      await rm(pwDir, { recursive: true, force: true });
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
