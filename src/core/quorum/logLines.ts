import { RANK_NAMES, type Rank } from './types';

/**
 * Debug-log lines at the moments administrators look for them: the seed white paper's start-up
 * and quorum lines, and FlexNet's informational messages (reference section 2.7).
 */

const capitalized = (rank: Rank) => RANK_NAMES[rank].charAt(0).toUpperCase() + RANK_NAMES[rank].slice(1);

export const logLines = {
  configurationEnabled: 'Redundant server configuration enabled. Attempting to establish quorum...',
  tryingConnections: 'Trying to establish connections to other redundant servers...',
  attemptingConnection: (rank: Rank, host: string) => `Attempting connection to ${RANK_NAMES[rank]} redundant server ${host}`,
  establishedConnection: (rank: Rank, host: string) => `Established connection to ${RANK_NAMES[rank]} redundant server ${host}`,
  connectedTo: (host: string) => `Connected to ${host}`,
  quorumEstablished: (master: string) => `Redundant server quorum established. Master is ${master}`,
  connectedMaster: (master: string) => `CONNECTED, master is ${master}`,
  selectedExisting: (master: string) => `Selected (EXISTING) master ${master}`,
  lostConnection: (host: string) => `Lost connection to ${host}`,
  disconnectedFrom: (rank: Rank, host: string) => `Disconnected from ${capitalized(rank)} redundant license server ${host}`,
  lostRedundantQuorum: 'Lost redundant license server quorum',
  lostQuorum: 'Lost quorum',
  serverOrderMismatch: 'License File SERVER line order mismatch.',
  licenseMismatch: (selfHost: string, peerHost: string, what: 'license file' | 'SERVER-line order') =>
    `The ${what} on ${peerHost} differs from the one on ${selfHost}: the two cannot form a quorum together. ` +
    'Import the same license file on all three servers.',
  shutdownAll: (origin: string) => `Shutting down all three redundant license servers (lmdown from ${origin})`,
  rereadAll: (origin: string) => `Rereading the license file on all three redundant license servers (lmreread from ${origin})`,
  licenseSwitched: 'Switched to the license file distributed to all three redundant license servers',
  handingOver: (primary: string) => `PRIMARY_IS_MASTER: handing mastership back to the primary ${primary}`,
  joiningAsLearner: (why: string) =>
    `Joining the redundant servers as a learner (${why}): this server catches up from the master and does not vote until it holds everything the ` +
      `master has committed.`,
  adoptingSettledTriad: (previous: string, next: string) =>
    `Quorum: joining the triad the other servers formed (${next}); nothing was ever committed under the one this server started (${previous}).`,
  learnerCaughtUp: (master: string) => `Caught up with the master ${master}: this server votes again.`,
  installedSnapshot: (from: string, index: number, seats: number) =>
    `Installed a snapshot from ${from} (${seats} seat(s), log entry ${index}): this server was behind the part of the log that ${from} has compacted.`,
  otherTriad: (selfHost: string, peerHost: string) =>
    `${peerHost} belongs to another set of redundant servers than ${selfHost} (its quorum state was made elsewhere): the two cannot form a quorum together. ` +
    'If this server was replaced or restored, stop it, move its data folder aside and start it again: it then rejoins and catches up.',
} as const;
