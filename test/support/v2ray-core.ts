import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';

export const V2RAY_BIN = '/usr/bin/v2ray';
export const V2RAY_INBOUND_TAG = 'vless-test';

/**
 * Whether the real v2fly core can be used. Missing binary: fails under CI (CI=true), skips locally with a
 * loud warning — the only allowed skip.
 */
export function v2rayAvailable(): boolean {
  if (existsSync(V2RAY_BIN)) return true;
  if (process.env.CI === 'true') throw new Error(`${V2RAY_BIN} is missing on CI: apt-get install -y v2ray`);
  console.warn(
    `\n!!! ${V2RAY_BIN} not found: SKIPPING the real v2fly core tests. Install it: apt-get install -y v2ray !!!\n`,
  );
  return false;
}

export interface V2rayCore {
  apiAddress: string;
  vlessPort: number;
  inboundTag: string;
  /** Kills the process (SIGKILL) and starts it again on the same ports: API-added users are gone. */
  restart(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real v2fly core on free loopback ports, reaching only 127.0.0.1:<targetPort>, users added via API.
 * `config` replaces that configuration (e.g. the shipped one with its ports adapted).
 */
export async function startV2rayCore(opts: {
  targetPort: number;
  inboundTag?: string;
  config?: (ports: { vlessPort: number; apiPort: number }) => object;
}): Promise<V2rayCore> {
  const dir = await mkdtemp(join(tmpdir(), 'v2ray-test-'));
  const [vlessPort, apiPort] = [await freePort(), await freePort()];
  const config = opts.config?.({ vlessPort, apiPort }) ?? {
    log: { loglevel: 'warning' },
    api: { tag: 'api', services: ['HandlerService', 'StatsService'] },
    stats: {},
    policy: { levels: { '0': { statsUserUplink: true, statsUserDownlink: true } } },
    inbounds: [
      {
        tag: V2RAY_INBOUND_TAG,
        listen: '127.0.0.1',
        port: vlessPort,
        protocol: 'vless',
        settings: { clients: [], decryption: 'none' },
      },
      {
        tag: 'api',
        listen: '127.0.0.1',
        port: apiPort,
        protocol: 'dokodemo-door',
        settings: { address: '127.0.0.1' },
      },
    ],
    outbounds: [
      { tag: 'deny', protocol: 'blackhole' },
      { tag: 'out', protocol: 'freedom' },
    ],
    routing: {
      rules: [
        { type: 'field', inboundTag: ['api'], outboundTag: 'api' },
        { type: 'field', ip: ['127.0.0.1/32'], port: String(opts.targetPort), outboundTag: 'out' },
      ],
    },
  };
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config));
  let proc: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    // `timeout` bounds the process even if the test runner dies without reaching afterAll.
    // Own process group (detached) so a kill reaches both `timeout` and the core it runs.
    proc = spawn('timeout', ['-s', 'KILL', '900', V2RAY_BIN, '-config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await Promise.all([waitForPort(apiPort, () => output), waitForPort(vlessPort, () => output)]);
    if (proc.exitCode !== null) throw new Error(`v2ray exited at start:\n${output}`);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(-p.pid!, 'SIGKILL');
    await exited;
  };
  await start();
  return {
    apiAddress: `127.0.0.1:${apiPort}`,
    vlessPort,
    inboundTag: opts.inboundTag ?? V2RAY_INBOUND_TAG,
    restart: async () => {
      await kill();
      await start();
    },
    kill,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`v2ray did not listen on ${port} within ${timeoutMs} ms; output:\n${output()}`);
}
