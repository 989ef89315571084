import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { JOB_NAMES, JOB_SCHEDULES, jobSchedule, type JobName } from './job-schedules';

const SRC = join(__dirname, '..');
const sources = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => ({ path: relative(SRC, join(SRC, f)), text: readFileSync(join(SRC, f), 'utf8') }));
const jobFiles = sources.filter((s) => s.path.endsWith('.job.ts'));
const names = Object.values(JOB_NAMES);
const base = { BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

function registeredKeys(text: string): string[] {
  const statics = new Map(
    [...text.matchAll(/class (\w+)[\s\S]*?static readonly jobName = JOB_NAMES\.(\w+);/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  return [...text.matchAll(/jobSchedule\(this\.config, (?:JOB_NAMES\.(\w+)|(\w+)\.jobName)\)/g)].map(
    (m) => m[1] ?? statics.get(m[2]) ?? `unresolved ${m[2]}.jobName`,
  );
}

describe('job schedules', () => {
  it('names every job once, in kebab-case', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(Object.keys(JOB_SCHEDULES).sort()).toEqual([...names].sort());
  });

  it('has each job registered by exactly one *.job.ts, through its row in the table', () => {
    const registered: string[] = [];
    for (const f of jobFiles) {
      const keys = registeredKeys(f.text);
      expect(keys, f.path).toHaveLength(1);
      expect(f.text.match(/\.register\(/g), f.path).toHaveLength(1);
      registered.push(...keys.map((k) => JOB_NAMES[k as keyof typeof JOB_NAMES] ?? k));
    }
    expect(registered.sort()).toEqual([...names].sort());
  });

  it('lets no module, service or transport file register a job', () => {
    const registering = sources
      .filter((s) => !s.path.endsWith('.job.ts') && /\.register\(\{/.test(s.text))
      .map((s) => s.path);
    expect(registering).toEqual([]);
  });

  it('uses the default interval when nothing is configured, and the named setting when it is', () => {
    const defaults = AppConfig.fromEnv(base);
    for (const name of names) {
      const row = JOB_SCHEDULES[name];
      expect(jobSchedule(defaults, name).intervalMs, name).toBe(row.defaultIntervalMs);
      if (row.configuredBy === 'JOB_INTERVALS only') {
        expect(row.interval, name).toBeUndefined();
        continue;
      }
      const set = row.defaultIntervalMs + 1_000;
      const configured = AppConfig.fromEnv({ ...base, [row.configuredBy]: String(set) });
      expect(jobSchedule(configured, name).intervalMs, name).toBe(set);
    }
  });

  it('derives jitter and deadline from the configured interval where the table says so', () => {
    const config = AppConfig.fromEnv({ ...base, VPN_RECONCILE_INTERVAL_MS: '60000' });
    expect(jobSchedule(config, JOB_NAMES.vpnReconcile)).toEqual({
      name: 'vpn-reconcile',
      intervalMs: 60_000,
      jitterMs: 12_000,
      timeoutMs: 60_000,
    });
    const defaults = AppConfig.fromEnv(base);
    const fixed: JobName = JOB_NAMES.vpnHealth;
    expect(jobSchedule(defaults, fixed)).toEqual({
      name: fixed,
      intervalMs: 30_000,
      jitterMs: 5_000,
      timeoutMs: 20_000,
    });
    expect(jobSchedule(defaults, JOB_NAMES.telegramInboxCleanup)).toEqual({
      name: 'telegram-inbox-cleanup',
      intervalMs: 3_600_000,
      jitterMs: undefined,
      timeoutMs: undefined,
    });
  });
});
