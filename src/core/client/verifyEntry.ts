import type { VerifyMember, VerifyResult } from '../../shared/contract';
import type { SearchEntry } from '../store';
import type { ServerStatus } from '../../shared/status';
import type { ConnectOptions } from './connection';
import { storedEntryToPathEntry } from './licensePathSources';
import type { ServerAddress } from './search';
import { queryStatus } from './searchAttempts';
import { resolveSearchTargets } from './searchTargets';

/**
 * Client/Server Configuration's Verify: contact the entry as a client would and say, for each
 * server in it, whether it answers, whether it is the master and how long the round trip took;
 * then who the master is and what it serves. A redundant entry asks all three members at once;
 * `@host` tries the default ports in turn, as the client does.
 */
export async function verifyEntry(entry: SearchEntry, timeoutMs: number, clock: () => number = () => performance.now()): Promise<VerifyResult> {
  const pathEntry = storedEntryToPathEntry(entry);
  const { targets, problems } = resolveSearchTargets(pathEntry ? [{ entry: pathEntry, source: `client configuration "${entry.name}"` }] : []);
  const target = targets[0];
  if (!target)
    return { entryId: entry.id, reachable: false, problem: problems.join('; ') || 'the entry names no server', master: null, features: [], members: [] };
  const options: ConnectOptions = { connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, agent: 'triad verify' };
  const asked = target.redundant
    ? await Promise.all(target.addresses.map((address) => ask(address, options, clock)))
    : [await firstAnswer(target.addresses, options, clock)];
  const members = asked.map((a) => a.member);
  const answers = asked.flatMap((a) => (a.status ? [a.status] : []));
  if (answers.length === 0) {
    const reasons = members.map((m) => `${m.port}@${m.host}: ${m.problem ?? 'no answer'}`);
    return { entryId: entry.id, reachable: false, problem: reasons.join('; ') || 'no answer', master: null, features: [], members };
  }
  const master = answers.find((s) => s.role === 'master') ?? null;
  const masterName = master?.host ?? answers.find((s) => s.master)?.master ?? null;
  const serving = master ?? answers[0]!;
  return {
    entryId: entry.id,
    reachable: true,
    problem: master ? null : 'answers, but no member is master (no quorum): it serves no licenses now',
    master: masterName,
    features: serving.features.map((f) => ({ name: f.name, version: f.version, issued: f.issued, inUse: f.inUse })),
    members,
  };
}

interface Asked {
  member: VerifyMember;
  status: ServerStatus | null;
}

async function ask(address: ServerAddress, options: ConnectOptions, clock: () => number): Promise<Asked> {
  const started = clock();
  const answer = await queryStatus(address, options);
  const base = { host: address.host, port: address.port };
  if (!('status' in answer)) return { member: { ...base, up: false, master: false, roundTripMs: null, problem: answer.failure.message }, status: null };
  const roundTripMs = Math.round((clock() - started) * 10) / 10;
  const status = answer.status;
  const problem =
    status.role === 'master' || status.role === 'standby'
      ? null
      : (status.notServing ?? `answers, but ${status.role === 'no-quorum' ? 'has no quorum' : 'is stopped'}`);
  return { member: { ...base, up: true, master: status.role === 'master', roundTripMs, problem }, status };
}

/** `@host`: the first of the default ports that answers (the last failure when none does). */
async function firstAnswer(addresses: readonly ServerAddress[], options: ConnectOptions, clock: () => number): Promise<Asked> {
  let last: Asked | null = null;
  for (const address of addresses) {
    last = await ask(address, options, clock);
    if (last.status) return last;
  }
  return last ?? { member: { host: '', port: 0, up: false, master: false, roundTripMs: null, problem: 'no address' }, status: null };
}
