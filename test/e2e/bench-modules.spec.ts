import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm test` builds first (pretest): the benches are compiled next to the app.
const BENCH_DIR = resolve(__dirname, '../../dist/bench');
const benches = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.bench.js'));

describe('npm run bench', () => {
  it('finds the compiled benches', () => {
    expect(benches.length).toBeGreaterThanOrEqual(10);
  });

  // A bench module that pulls in vitest (through a test helper) cannot load outside the test runner.
  it.each(benches)('loads %s in plain node, as the bench runner does', (file) => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(join(BENCH_DIR, file))}); if (typeof m.bench?.run !== 'function') process.exit(3);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
