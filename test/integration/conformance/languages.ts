import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleForChildProcess } from '../../support/cliBundle';
import { Driver } from './driver';

/**
 * How the suite builds and starts each client's driver: C (the library, its driver, the fuzzer
 * and examples/c, built with the system compiler and CMake, -Wall -Wextra -Werror, under
 * AddressSanitizer/UBSan), Python (python3, standard library only) and Node (the reference client
 * in src/core/client, bundled with esbuild).
 */

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const cacheRoot = path.join(repoRoot, 'node_modules', '.cache', 'triad-conformance');

export type LanguageName = 'c' | 'python' | 'node';
export const languageNames: LanguageName[] = ['c', 'python', 'node'];

export interface CBuild {
  driver: string;
  fuzzer: string;
  example: string;
  /** CMake found OpenSSL's headers (libssl-dev); without them the library builds without TLS. */
  tls: boolean;
  /** The CMake output, for the suite's report. */
  log: string;
}

export interface Languages {
  c: CBuild;
  start(language: LanguageName, env?: NodeJS.ProcessEnv): Driver;
}

/** ASan/UBSan settings: any report ends the process with a failure the suite sees. */
export const sanitizerEnv: NodeJS.ProcessEnv = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=86',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:exitcode=87',
};

async function buildC(): Promise<CBuild> {
  const source = path.join(repoRoot, 'clients', 'c');
  // the build folder is per checkout: CMake refuses a cache made for another source folder
  const buildDir = path.join(cacheRoot, `c-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  mkdirSync(buildDir, { recursive: true });
  const configure = await run(
    'cmake',
    [
      '-S',
      source,
      '-B',
      buildDir,
      '-DCMAKE_BUILD_TYPE=Debug',
      '-DTRIAD_BUILD_TESTS=ON',
      '-DTRIAD_BUILD_EXAMPLES=ON',
      '-DTRIAD_WARNINGS_AS_ERRORS=ON',
      '-DTRIAD_SANITIZE=ON',
      '-DTRIAD_TLS=AUTO',
    ],
    { maxBuffer: 16 << 20 },
  );
  const compile = await run('cmake', ['--build', buildDir, '--parallel', '2'], { maxBuffer: 16 << 20 });
  return {
    driver: path.join(buildDir, 'triad_conformance_driver'),
    fuzzer: path.join(buildDir, 'triad_fuzz_frames'),
    example: path.join(buildDir, 'examples', 'checkout_example'),
    tls: /Triad C client: TLS TRUE/.test(configure.stdout),
    log: configure.stdout + compile.stdout,
  };
}

/**
 * What every driver starts with: this process's environment without anything that would make a
 * client search elsewhere (license variables, TLS settings, the user's ~/.flexlmrc); tests add
 * exactly what they mean to test.
 */
function cleanEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/_LICENSE_FILE$|^TRIAD_TLS_/.test(name)) env[name] = value;
  }
  return { ...env, HOME: home, USERPROFILE: home, PYTHONDONTWRITEBYTECODE: '1', ...sanitizerEnv };
}

export async function prepareLanguages(emptyHome: string): Promise<Languages> {
  const [c, nodeDriver] = await Promise.all([buildC(), bundleForChildProcess(path.join(import.meta.dirname, 'drivers', 'node.ts'), 'conformance-node-driver')]);
  const pythonDriver = path.join(repoRoot, 'clients', 'python', 'tests', 'conformance_driver.py');
  const commands: Record<LanguageName, [string, string[]]> = {
    c: [c.driver, []],
    python: ['python3', [pythonDriver]],
    node: [process.execPath, [nodeDriver]],
  };
  return {
    c,
    start(language, env = {}) {
      const [command, args] = commands[language];
      return Driver.start(language, command, args, { ...cleanEnvironment(emptyHome), ...env });
    },
  };
}
