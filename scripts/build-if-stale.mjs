// `npm start` builds only when dist is missing or older than what it is built from, so a start takes the
// built app's time. Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
// Also written by `postbuild`, so a plain `npm run build` (pretest, bench, the image) counts as a build.
const inputs = ['src', 'migrations', 'bench', 'scripts', 'test/support'];
const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const sources = Math.max(
  ...inputs.map((d) => newest(join(root, d))),
  ...files.map((f) => newest(join(root, f))),
);
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built && built >= sources) process.exit(0);

console.log(built ? 'sources changed since the last build: building' : 'no build yet: building');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
