// `npm start`: the desktop app where Electron can start; otherwise (no Electron binary, no display)
// one line saying so, then the headless host with the same server and admin UI in a browser.
// Arguments after `npm start --` go to the host (e.g. `--listen 127.0.0.1:8091`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = ['dist/host.mjs', 'out/main/index.js', 'out/renderer/index.html'].every((file) => existsSync(root + file));
if (!built) {
  console.log('Building Triad first (npm run build)...');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Read where the electron package put its binary (path.txt) instead of requiring the package:
// requiring it without a binary starts a download.
function electronBinary() {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const path = join(dir, 'dist', relative);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const electron = electronBinary();
const [command, args, why] = electron && hasDisplay
  ? [electron, [root], null]
  : [process.execPath, [root + 'dist/host.mjs', ...process.argv.slice(2)], electron ? 'no display' : 'no Electron binary'];
if (why) console.log(`Desktop app unavailable here (${why}): running the headless host; open its sign-in link below in a browser.`);

const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
