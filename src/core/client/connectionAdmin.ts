import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isThisMachine } from '../transport/thisMachine';
import { ServerConnection, type ConnectOptions, type ServerAddress } from './connection';
import { clientTlsFrom } from './clientTls';
import { defaultDataDir } from '../store/dataDir';
import { adminTokenFile } from '../store/secrets';
import type { ServerMessage } from '../protocol';
import { currentPlatform } from './licensePath';
import { createLicenseSearch } from './searchTargets';
import type { ServerStatus } from '../../shared/status';

/**
 * What lmdown, lmreread, lmremove and lmstat share: find the first server in the list that
 * answers, as an admin connection, and carry the admin token when one is available.
 */

/** The admin token of a server whose data folder is readable here; null when it is not. */
export function readAdminToken(dataDir: string): string | null {
  try {
    return readFileSync(path.join(dataDir, adminTokenFile), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The token an admin command presents: `TRIAD_ADMIN_TOKEN`, else the `admin.token` file of the
 * server's data folder (`--data`, else the default folder of `triad serve`). null: none found,
 * and the server will refuse the command, which is logged on its side.
 */
export function findAdminToken(dataDir: string | undefined, env: NodeJS.ProcessEnv): string | null {
  return env.TRIAD_ADMIN_TOKEN?.trim() || readAdminToken(dataDir ?? defaultDataDir(env));
}

export type AdminOutcome =
  | { kind: 'answered'; address: ServerAddress; reply: ServerMessage }
  | { kind: 'unreachable'; errors: string[] };

type AdminRequestBody = Parameters<ServerConnection['request']>[0];

/** Sends one request to the first server that answers; a standby's redirect is followed once. */
export async function sendAdminRequest(
  addresses: ServerAddress[],
  request: AdminRequestBody,
  options: ConnectOptions = {},
): Promise<AdminOutcome> {
  const errors: string[] = [];
  const queue = [...addresses];
  let redirects = 0;
  while (queue.length > 0) {
    const address = queue.shift()!;
    let connection: ServerConnection;
    try {
      connection = await ServerConnection.open(address, { ...options, role: 'admin' });
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    try {
      const reply = await connection.request(request);
      if (reply.type === 'redirect' && redirects++ < 2) {
        queue.unshift({ host: reply.host, port: reply.port });
        continue;
      }
      return { kind: 'answered', address, reply };
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    } finally {
      connection.close();
    }
  }
  return { kind: 'unreachable', errors };
}

export type StatusOutcome =
  | { kind: 'status'; address: ServerAddress; status: ServerStatus }
  | { kind: 'unreachable'; errors: string[] };

/** The status snapshot of the first server that answers (lmstat, the app's server view). */
export async function queryStatus(addresses: ServerAddress[], options: ConnectOptions = {}): Promise<StatusOutcome> {
  const outcome = await sendAdminRequest(addresses, { type: 'status' }, options);
  if (outcome.kind === 'unreachable') return outcome;
  if (outcome.reply.type !== 'statusReply') {
    const address = `${outcome.address.port}@${outcome.address.host}`;
    return { kind: 'unreachable', errors: [`${address} answered ${outcome.reply.type} instead of a status`] };
  }
  return { kind: 'status', address: outcome.address, status: outcome.reply.status };
}

export type AdminCommandBody = Extract<AdminRequestBody, { type: 'lmdown' | 'lmreread' | 'lmremove' | 'lmswitch' }>;

/** The command without its token: the token is found by runAdminCommand. */
export type AdminCommandWithoutToken = AdminCommandBody extends infer C ? (C extends unknown ? Omit<C, 'token'> : never) : never;

export type AdminCommandResult =
  | { ok: true; address: ServerAddress; message: string }
  /** exitCode 1: the server refused or nobody answered; both come with a message for a person. */
  | { ok: false; message: string };

/** Refusals that say "not with these credentials": another member of the same triad may take them. */
const credentialRefusals: ReadonlySet<string> = new Set(['ADMIN_TOKEN', 'REMOTE_ADMIN', 'LOCKED_OUT']);

/** lmutil's `-all` and `-vendor NAME` on lmdown and lmreread. */
export interface AdminScope {
  /** `-all`: every entry of the search list, not only the first that answers. */
  all?: boolean;
  /** `-vendor NAME`: only that vendor daemon (see vendorScopeProblem). */
  vendor?: string;
}

/**
 * lmdown / lmreread / lmremove / lmswitch from the command line: resolve `-c` (or the environment), attach
 * the admin token, send to the first entry that answers (with `-all`, to every entry), and word
 * the outcome: one result per entry sent to. Within a triad the members on this machine are asked
 * first (each member accepts only its own token, the one this machine holds), and a member that
 * refuses these credentials passes the command on to the next member; another search-list entry
 * (an independent server) is never tried with them.
 */
export async function runAdminCommand(
  commandLine: string | undefined,
  dataDir: string | undefined,
  body: AdminCommandWithoutToken,
  env: NodeJS.ProcessEnv,
  scope: AdminScope = {},
): Promise<AdminCommandResult[]> {
  const { search, problems } = createLicenseSearch({ commandLine, env, platform: currentPlatform() });
  const groups = scope.all ? search.targets.map((target) => [target]) : [search.targets];
  if (search.targets.length === 0) {
    const why = problems.length > 0 ? problems.join('\n') : 'no license server given';
    return [{ ok: false, message: `${why}\nPass -c port@host (or the license file), or set LM_LICENSE_FILE.` }];
  }
  const token = findAdminToken(dataDir, env);
  let tls;
  try {
    tls = clientTlsFrom({}, env);
  } catch (error) {
    return [{ ok: false, message: error instanceof Error ? error.message : String(error) }];
  }
  const request = { ...body, ...(token ? { token } : {}) } as AdminRequestBody;
  const options = { agent: `triad ${body.type}`, tls };
  const results: AdminCommandResult[] = [];
  for (const targets of groups) {
    if (scope.vendor !== undefined) {
      const problem = await vendorScopeProblem(body.type, scope.vendor, targets.flatMap((target) => target.addresses), options);
      if (problem) {
        results.push({ ok: false, message: problem });
        continue;
      }
    }
    results.push(await sendToFirstEntry(targets, request, options));
  }
  return results;
}

/** The first entry that answers takes the command; within it, the next member when one refuses these credentials. */
async function sendToFirstEntry(
  targets: readonly { addresses: ServerAddress[] }[],
  request: AdminRequestBody,
  options: ConnectOptions,
): Promise<AdminCommandResult> {
  const errors: string[] = [];
  for (const target of targets) {
    const refusals: string[] = [];
    for (const address of await thisMachineFirst(target.addresses)) {
      const outcome = await sendAdminRequest([address], request, options);
      if (outcome.kind === 'unreachable') {
        errors.push(...outcome.errors);
        continue;
      }
      const { reply } = outcome;
      const where = `${outcome.address.port}@${outcome.address.host}`;
      if (reply.type === 'refused' && reply.code !== undefined && credentialRefusals.has(reply.code)) {
        refusals.push(`${where}: ${reply.reason}`);
        continue;
      }
      if (reply.type === 'done') return { ok: true, address: outcome.address, message: reply.message };
      if (reply.type === 'refused') return { ok: false, message: `${where} refused: ${reply.reason}` };
      return { ok: false, message: `${where} answered ${reply.type}` };
    }
    if (refusals.length > 0) {
      return {
        ok: false,
        message:
          `No server took this machine's admin credentials:\n  ${refusals.join('\n  ')}\n` +
          "Run it on the server's own machine (each server takes the admin token in its own data folder, admin.token), " +
          'or pass --data with that folder, or set TRIAD_ADMIN_TOKEN to that token; from another machine the server must also run with --allow-remote-admin.',
      };
    }
  }
  return { ok: false, message: `Cannot connect to license server: ${errors.join('; ')}` };
}

/** The addresses that are this machine first, in their order, then the others. */
export async function thisMachineFirst(addresses: readonly ServerAddress[]): Promise<ServerAddress[]> {
  const local = await Promise.all(addresses.map(async (address) => (await addressesOf(address.host)).some(isThisMachine)));
  return [...addresses.filter((_, i) => local[i]), ...addresses.filter((_, i) => !local[i])];
}

async function addressesOf(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}

/**
 * `-vendor NAME`: Triad serves every vendor of its license file from one process, so lmdown of
 * one vendor would stop the others too; it goes ahead only when NAME is the only vendor served.
 * lmreread rereads every vendor's files, which does NAME's too. Either way NAME must be served.
 */
async function vendorScopeProblem(type: AdminCommandBody['type'], vendor: string, addresses: ServerAddress[], options: ConnectOptions): Promise<string | null> {
  const outcome = await queryStatus(addresses, options);
  if (outcome.kind === 'unreachable') return `Cannot connect to license server: ${outcome.errors.join('; ')}`;
  const where = `${outcome.address.port}@${outcome.address.host}`;
  const served = outcome.status.vendors.map((v) => v.name);
  if (!served.includes(vendor)) return `${where} serves no vendor daemon "${vendor}" (it serves: ${served.join(', ') || 'none'})`;
  const others = served.filter((name) => name !== vendor);
  if (type === 'lmdown' && others.length > 0) {
    return `${where} serves ${served.join(', ')} from one Triad server, so stopping "${vendor}" would stop ${others.join(', ')} too; run lmdown ` +
      `without -vendor to stop the server`;
  }
  return null;
}
