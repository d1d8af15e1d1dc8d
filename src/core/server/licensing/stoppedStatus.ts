import os from 'node:os';
import { parseLicenseText, serverRanks, type ServerLine } from '../../license';
import { chooseSelf, type SelfIdentity } from '../../licenseFiles/licenseSetup';
import { mergeLicenseSet } from '../../licenseFiles/licenseSet';
import { readLicenseSet } from '../../licenseFiles/licenseFolder';
import { SERVER_VERSION } from '../version';
import { DEFAULT_PORTS } from '../../protocol/ports';
import type { MemberStatus, ServerStatus } from '../../../shared/status';

export interface StoppedStatusInput {
  /** The license file, or the folder of license files, the server serves when started. */
  licensePath: string;
  identity: SelfIdentity;
  /** `--port`, which overrides the SERVER line's. */
  port?: number;
  /** Why it stopped or could not start, when known. */
  problem: string | null;
  /** Seats in this server's lease table: a single server serves them again at start. */
  heldSeats: number;
  nowMs: number;
}

/**
 * The status of a license server that is not running: the address and members its license file
 * configures (what it serves on when started), all down, and what becomes of the seats held.
 */
export function stoppedStatus(input: StoppedStatusInput): ServerStatus {
  const configured = readServerLines(input.licensePath, input.identity);
  const self = configured?.self ?? null;
  const members: MemberStatus[] = (configured?.ranks ?? []).map(({ server, rank }) => ({
    host: server.host,
    hostid: server.hostid,
    port: server.port,
    rank,
    up: false,
    master: false,
    self: server === self,
    heartbeatRttMs: null,
    heartbeatAgeMs: null,
    heartbeatLossPercent: null,
    // a stopped server has not heard from its peers: it cannot say whether they are up
    problem: server === self ? 'stopped' : 'not known while this server is stopped',
  }));
  const triad = members.length === 3;
  return {
    takenAt: input.nowMs,
    version: SERVER_VERSION,
    host: self?.host ?? os.hostname(),
    port: input.port ?? self?.port ?? DEFAULT_PORTS[0]!,
    licenseFiles: configured?.files ?? [input.licensePath],
    mode: triad ? 'triad' : members.length === 0 && configured ? 'uncounted' : 'single',
    role: 'stopped',
    master: null,
    quorum: false,
    members,
    vendors: [],
    features: [],
    optionsProblems: [],
    warnings: input.problem ? [input.problem] : [],
    notServing: `Stopped: this server gives out no licenses. ${seatsSentence(input.heldSeats, triad)}`,
  };
}

function seatsSentence(held: number, triad: boolean): string {
  if (triad) {
    return 'The other two servers serve without it while they keep a quorum. When you Start it, it rejoins them and the seats held come back with it, ' +
      'replicated from the master.';
  }
  if (held === 0) return 'No seats were held when it stopped; Start serves its license file again.';
  const seats = held === 1 ? '1 seat was' : `${held} seats were`;
  return `${seats} held when it stopped: they are kept and come back when you Start it, and their clients carry on with them.`;
}

/** The SERVER lines of the license files and which one is this machine; null when there is no file to read. */
function readServerLines(location: string, identity: SelfIdentity): { files: string[]; ranks: ReturnType<typeof serverRanks>; self: ServerLine | null } | null {
  const set = readLicenseSet(location);
  if (set.length === 0) return null;
  const { file } = mergeLicenseSet(location, set.map((part) => ({ path: part.path, file: parseLicenseText(part.text, part.path).file })));
  let self: ServerLine | null = null;
  try {
    self = chooseSelf(file, identity).self;
  } catch {
    // no SERVER line names this machine: the status still lists them; the start says why
  }
  return { files: set.map((part) => part.path), ranks: serverRanks(file), self };
}
