/**
 * The conformance suite's driver for the Node reference client (src/core/client): the line
 * protocol of README.md beside this folder. Bundled by the suite with esbuild and run with node.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import type { HeldLicense } from '../../../../src/core/client/checkout';
import { currentPlatform } from '../../../../src/core/client/licensePath';
import type { LicenseSearch } from '../../../../src/core/client/search';
import { checkoutAttempt } from '../../../../src/core/client/searchAttempts';
import { createLicenseSearch } from '../../../../src/core/client/searchTargets';
import type { CheckoutOptions } from '../../../../src/core/client/checkout';
import { searchEnvironment } from '../../../../src/cli/workstationSearch';

function say(line: string): void {
  process.stdout.write(`${line.replace(/[\r\n]+/g, ' ')}\n`);
}

/**
 * The reference client words its failures for people and has no numeric codes; the driver assigns
 * the codes docs/PROTOCOL.md gives those failures, so the suite can hold every client to them.
 */
function codeOf(reason: string): number {
  if (/oversize frame|not UTF-8 JSON|invalid message|not a Triad license server|unexpected \w+/.test(reason)) return -12;
  if (/closed before the server answered|connection closed|no reply to/.test(reason)) return -16;
  return -15;
}

function lostCode(reason: string): number {
  return /lost contact/.test(reason) ? -96 : -900;
}

let search: LicenseSearch | null = null;
let options: CheckoutOptions = {};
let identity = { user: os.userInfo().username, host: os.hostname(), display: process.env.DISPLAY || 'console' };
const held = new Map<string, HeldLicense>();
const lost = new Map<string, string>();

function open(path: string, settings: Record<string, string>): void {
  const built = createLicenseSearch({
    commandLine: path === '-' ? undefined : path,
    vendor: settings.vendor,
    env: searchEnvironment(),
    platform: currentPlatform(),
  });
  if (built.search.targets.length === 0) {
    if (built.problems.length > 0) return say(`ERROR open -2 Invalid license file syntax. ${built.problems.join(' ')}`);
    return say('ERROR open -1 Cannot find license file. no license server to contact');
  }
  const tls =
    settings.fingerprint || settings.ca ? { fingerprint: settings.fingerprint, ca: settings.ca ? readFileSync(settings.ca, 'utf8') : undefined } : undefined;
  options = {
    agent: 'triad-node conformance',
    ...(tls ? { tls } : {}),
    ...(settings.connect_timeout ? { connectTimeoutMs: Number(settings.connect_timeout) } : {}),
    ...(settings.request_timeout ? { requestTimeoutMs: Number(settings.request_timeout) } : {}),
  };
  identity = { user: settings.user ?? identity.user, host: settings.host ?? identity.host, display: settings.display ?? identity.display };
  search = built.search;
  say('OK open');
}

async function checkout(name: string, feature: string, version: string, count: number): Promise<void> {
  if (!search || held.has(name)) return say(`ERROR ${name} -42 no context, or the handle name is in use`);
  const result = await search.run(checkoutAttempt({ feature, version, count, ...identity }, options));
  if (result.kind === 'denied') return say(`DENIED ${name} ${result.code} ${result.reason}`);
  if (result.kind === 'unreachable') {
    const reasons = result.steps.map((step) => step.detail).join('; ');
    return say(`ERROR ${name} ${codeOf(reasons)} ${reasons}`);
  }
  const license = result.value;
  held.set(name, license);
  license.on('resumed', (server) =>
    say(`EVENT ${name} ${license.details.resumed ? 'RESUMED' : 'REGRANTED'} ${license.details.leaseId} ${server.port}@${server.host}`),
  );
  license.on('lost', (reason) => {
    lost.set(name, reason);
    say(`EVENT ${name} LOST ${lostCode(reason)} ${reason}`);
  });
  say(`GRANTED ${name} ${license.details.leaseId} ${license.details.port}@${license.details.server}`);
}

async function run(line: string): Promise<boolean> {
  const [command, ...words] = line.trim().split(/\s+/);
  switch (command) {
    case '':
      return true;
    case 'ping':
      say('PONG');
      return true;
    case 'quit':
      return false;
    case 'open':
      open(
        words[0] ?? '-',
        Object.fromEntries(words.slice(1).flatMap((w) => (w.includes('=') ? [[w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]] : []))),
      );
      return true;
    case 'checkout':
      if (words.length !== 4) say('ERROR ? -42 usage: checkout NAME FEATURE VERSION COUNT');
      else await checkout(words[0]!, words[1]!, words[2]!, Number(words[3]));
      return true;
    case 'state':
    case 'checkin': {
      const name = words[0] ?? '?';
      const license = held.get(name);
      if (!license) {
        say(`ERROR ${name} -42 no such handle`);
      } else if (command === 'state') {
        const reason = lost.get(name);
        say(`STATE ${name} ${reason ? lostCode(reason) : 0} ${license.details.leaseId} ${license.server.port}@${license.server.host}`);
      } else {
        const reason = lost.get(name);
        await license.checkin();
        held.delete(name);
        say(`CHECKEDIN ${name} ${reason ? lostCode(reason) : 0}`);
      }
      return true;
    }
    default:
      say(`ERROR ? -42 unknown command ${command}`);
      return true;
  }
}

// commands run one at a time, in order, as the other drivers read them
const input = readline.createInterface({ input: process.stdin });
const lines: string[] = [];
let running = false;
let ended = false;
async function drain(): Promise<void> {
  if (running) return;
  running = true;
  while (lines.length > 0) {
    if (!(await run(lines.shift()!))) {
      ended = true;
      break;
    }
  }
  running = false;
  if (ended) {
    for (const license of held.values()) await license.checkin();
    process.exit(0);
  }
}
input.on('line', (line) => {
  lines.push(line);
  void drain();
});
input.on('close', () => {
  lines.push('quit');
  void drain();
});
