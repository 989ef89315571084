import { spawn, type ChildProcess } from 'node:child_process';
import { EmbeddedPostgresSetupError, firstLine, type RunAs } from './postgres-as-root';

const INITDB_DEADLINE_MS = 120_000;
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 20_000;

function spawnAs(bin: string, args: string[], runAs: RunAs | undefined): ChildProcess {
  // cwd "/" because the server's user may not be able to enter ours.
  return spawn(bin, args, {
    ...(runAs ?? {}),
    cwd: '/',
    env: { LC_MESSAGES: 'C', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A spawn error (EACCES, ENOENT) rejects instead of throwing. */
export function runToEnd(
  bin: string,
  args: string[],
  runAs: RunAs | undefined,
  log: (l: string) => void,
  abort?: AbortSignal,
): Promise<void> {
  return new Promise((res, rej) => {
    if (abort?.aborted) return rej(new EmbeddedPostgresSetupError('start-up stopped before initdb'));
    const child = spawnAs(bin, args, runAs);
    // initdb traps SIGTERM and removes the directory it was filling, so the next start begins afresh.
    const onAbort = () => child.kill('SIGTERM');
    abort?.addEventListener('abort', onAbort, { once: true });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8').trimEnd();
      log(text);
      tail.push(...text.split('\n'));
      tail.splice(0, Math.max(0, tail.length - 5));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new EmbeddedPostgresSetupError(`initdb did not finish within ${INITDB_DEADLINE_MS / 1000} s`));
    }, INITDB_DEADLINE_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(spawnFailure(bin, err));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      abort?.removeEventListener('abort', onAbort);
      if (abort?.aborted) rej(new EmbeddedPostgresSetupError('start-up stopped during initdb'));
      else if (code === 0) res();
      else rej(new EmbeddedPostgresSetupError(`initdb failed (exit ${code}): ${tail.join(' | ')}`));
    });
  });
}

export function startPostmaster(
  bin: string,
  args: string[],
  runAs: RunAs | undefined,
  log: (l: string) => void,
): Promise<ChildProcess> {
  return new Promise((res, rej) => {
    const child = spawnAs(bin, args, runAs);
    const tail: string[] = [];
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trimEnd());
      if (ready) return;
      tail.push(...text.trimEnd().split('\n'));
      tail.splice(0, Math.max(0, tail.length - 5));
      if (text.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        res(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new EmbeddedPostgresSetupError(`PostgreSQL did not start within ${START_DEADLINE_MS / 1000} s`));
    }, START_DEADLINE_MS);
    child.on('error', (err) => {
      if (ready) return;
      clearTimeout(timer);
      rej(spawnFailure(bin, err));
    });
    child.once('close', (code) => {
      if (ready) return;
      clearTimeout(timer);
      rej(new EmbeddedPostgresSetupError(`PostgreSQL exited at start (code ${code}): ${tail.join(' | ')}`));
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_DEADLINE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGINT');
  });
}

function spawnFailure(bin: string, err: Error): EmbeddedPostgresSetupError {
  return new EmbeddedPostgresSetupError(
    `cannot run ${bin} (${firstLine(err)}): reinstall with npm ci, or set DATABASE_URL`,
  );
}
