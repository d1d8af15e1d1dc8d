/**
 * The browser the end-to-end tests drive. By default the Chromium that ships inside the npm
 * package @sparticuz/chromium, so `npm install` is all a fresh machine needs (never
 * `npx playwright install`, which downloads from outside the registry). TRIAD_CHROMIUM names a
 * system Chromium to use instead, e.g. TRIAD_CHROMIUM=/path/to/chromium.
 */
import packagedChromium from '@sparticuz/chromium';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Names a system Chromium to launch instead of the packaged one. */
export const SYSTEM_CHROMIUM_VARIABLE = 'TRIAD_CHROMIUM';

// The tests only talk to loopback; these keep Chromium from calling home on a closed network.
const offlineArgs = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const repoRoot = path.resolve(import.meta.dirname, '../..');
let unpacked: Promise<string> | undefined;

/**
 * The package keeps Chromium brotli-compressed and unpacks it into os.tmpdir() on first use,
 * where another checkout's version (or a half-written file) would be taken as it is. So it unpacks
 * here into a private folder (a child with TMPDIR pointing there), which is then renamed into a
 * cache folder named by the package's version: whoever renames first wins, nobody sees half a file.
 */
function unpackedChromium(): Promise<string> {
  unpacked ??= (async () => {
    const packageDir = path.dirname(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')));
    const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'triad-chromium');
    const target = path.join(cacheDir, version);
    const executable = path.join(target, 'chromium');
    if (existsSync(executable)) return executable;
    mkdirSync(cacheDir, { recursive: true });
    const staging = mkdtempSync(path.join(cacheDir, `${version}-unpacking-`));
    try {
      const script = "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());";
      const made = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, TMPDIR: staging },
        encoding: 'utf8',
      });
      if (made !== path.join(staging, 'chromium'))
        throw new Error(`@sparticuz/chromium unpacked to ${made}, not into ${staging}: check how this version unpacks`);
      renameSync(staging, target);
    } catch (error) {
      if (!existsSync(executable)) throw error;
      // another test process unpacked the same version first
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return executable;
  })();
  return unpacked;
}

/** Headless Chromium for a test; the caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const system = process.env[SYSTEM_CHROMIUM_VARIABLE];
  if (system) return chromium.launch({ executablePath: system, args: offlineArgs, headless: true });
  // the package's arguments are made for one page per process (AWS Lambda): with --single-process
  // closing a browser context takes the whole browser down, and the tests open and close several
  const args = packagedChromium.args.filter((arg) => arg !== '--single-process');
  return chromium.launch({ executablePath: await unpackedChromium(), args: [...args, ...offlineArgs], headless: true });
}
