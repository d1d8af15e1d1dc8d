import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isThisMachine } from '../server/thisMachine';
import { ServerConnection, type ConnectOptions, type ServerAddress } from './connection';
import { clientTlsFrom } from './clientTls';
import { ADMIN_TOKEN_FILE, defaultDataDir } from '../server/dataDir';
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
    return readFileSync(path.join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim() || null;
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

export type AdminCommandBody = Extract<AdminRequestBody, { type: 'lmdown' | 'lmreread' | 'lmremove' }>;

/** The command without its token: the token is found by runAdminCommand. */
export type AdminCommandWithoutToken = AdminCommandBody extends infer C ? (C extends unknown ? Omit<C, 'token'> : never) : never;

export type AdminCommandResult =
  | { ok: true; address: ServerAddress; message: string }
  /** exitCode 1: the server refused or nobody answered; both come with a message for a person. */
  | { ok: false; message: string };

/** Refusals that say "not with these credentials": another member of the same triad may take them. */
const credentialRefusals: ReadonlySet<string> = new Set(['ADMIN_TOKEN', 'REMOTE_ADMIN', 'LOCKED_OUT']);

/**
 * lmdown / lmreread / lmremove from the command line: resolve `-c` (or the environment), attach
 * the admin token, and send to the first entry that answers. Within a triad the members on this
 * machine are asked first (each member accepts only its own token, the one this machine holds),
 * and a member that refuses these credentials passes the command on to the next member; another
 * search-list entry (an independent server) is never tried with them.
 */
export async function runAdminCommand(
  commandLine: string | undefined,
  dataDir: string | undefined,
  body: AdminCommandWithoutToken,
  env: NodeJS.ProcessEnv,
): Promise<AdminCommandResult> {
  const { search, problems } = createLicenseSearch({ commandLine, env, platform: currentPlatform() });
  if (search.targets.length === 0) {
    const why = problems.length > 0 ? problems.join('\n') : 'no license server given';
    return { ok: false, message: `${why}\nPass -c port@host (or the license file), or set LM_LICENSE_FILE.` };
  }
  const token = findAdminToken(dataDir, env);
  let tls;
  try {
    tls = clientTlsFrom({}, env);
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const request = { ...body, ...(token ? { token } : {}) } as AdminRequestBody;
  const options = { agent: `triad ${body.type}`, tls };
  const errors: string[] = [];
  for (const target of search.targets) {
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
