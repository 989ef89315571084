import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Puts a running process into its own cgroup with a CPU quota, as a container runtime does for a pod with
 * `resources.limits.cpu`: `cores` of one core per period. cgroup v2 (`cpu.max`) or v1 (`cpu.cfs_quota_us`);
 * needs write access to the cgroup tree (root here). Returns undefined where that is not possible, so the bench
 * can say the figures are unconstrained instead of failing.
 */
export function limitCpu(pid: number, cores: number, periodUs = 20_000): { release(): void } | undefined {
  const quotaUs = Math.round(cores * periodUs);
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const root = v2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/cpu';
  const dir = join(root, `vpn-bot-bench-${pid}`);
  try {
    mkdirSync(dir);
    if (v2) writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    else {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    }
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never made
    }
    return undefined;
  }
  return {
    // The group can be removed once its process has exited.
    release: () => {
      try {
        rmdirSync(dir);
      } catch {
        // still busy or already gone: left for the next boot
      }
    },
  };
}
