import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A script-private containers.conf (CONTAINERS_CONF), so nothing of the machine's podman set-up changes:
 * runc instead of crun (crun fails on hybrid cgroup v1/v2 hosts) and ulimits below the usual hard limits
 * (podman's default open-file limit is above them, so every container would fail to start).
 */
const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

const confDir = mkdtempSync(join(tmpdir(), 'vpnbot-image-'));
writeFileSync(join(confDir, 'containers.conf'), CONTAINERS_CONF);
const env = { ...process.env, CONTAINERS_CONF: join(confDir, 'containers.conf') };

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman to its end; `inherit` streams its output (builds), otherwise it is captured. */
export function podman(args: string[], opts: { inherit?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, {
      env,
      stdio: ['ignore', opts.inherit ? 'inherit' : 'pipe', opts.inherit ? 'inherit' : 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** podman that must succeed; its stdout, trimmed. */
export async function podmanOk(args: string[]): Promise<string> {
  const r = await podman(args);
  if (r.code !== 0)
    throw new Error(`podman ${args.slice(0, 2).join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function missing(tools: string[]): string[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

/** podman, runc and debootstrap from Debian; installed when missing and we are root, else one clear line. */
export function ensureTools(): void {
  const need = missing(['podman', 'runc', 'debootstrap']);
  if (!need.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${need.join(', ')}: run as root or \`apt-get install -y podman runc debootstrap\``,
    );
  }
  console.log(`installing ${need.join(', ')} from Debian`);
  const apt = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'podman', 'runc', 'debootstrap'],
  ]) {
    const r = spawnSync('apt-get', args, { env: apt, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`apt-get ${args[0]} failed`);
  }
}
