import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SANDBOX = resolve(__dirname, '../../dist/scripts/sandbox.js');

describe('npm run sandbox', () => {
  it('runs the real bot against the fakes and lets a developer click through a flow from the terminal', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-'));
    await chmod(dataDir, 0o755); // as root the embedded server runs as the `postgres` user
    const proc = spawn(process.execPath, [SANDBOX], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', r));
    const waitFor = async (re: RegExp, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > end || proc.exitCode !== null)
          throw new Error(`sandbox output never matched ${re}:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(/sandbox: bot on http:\/\/127\.0\.0\.1:\d+/);
      proc.stdin.write('/start\n');
      await waitFor(/bot sendMessage → 1000: .*Welcome[\s\S]*\[1\]/);
      // The main menu's first button is the free trial; pressing it provisions a key on the fake core.
      proc.stdin.write(':press 1\n');
      await waitFor(/key is ready/i);
      proc.stdin.write(':pay\n');
      await waitFor(/sandbox: no Crypto Pay invoice yet/);
      proc.stdin.end(); // closing the terminal stops the bot and the fakes
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
