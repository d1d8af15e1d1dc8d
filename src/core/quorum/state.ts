import type { QuorumRole } from './inputs';
import { emptyLinkStats, type LinkStats } from './linkStats';
import type { LogWindow } from './logWindow';
import type { MemberStanding, PeerMessage } from './messages';
import type { PendingLine } from './narration';
import type { PartialSnapshot } from './snapshot';
import type { LicenseIdentity, LogEntry, PersistedHardState, Rank } from './types';

/** The quorum engine's plain-data state (QuorumMachine.state): what a member knows of itself and its peers. */

export interface PeerState {
  connected: boolean;
  /** Its hello (or a heartbeat, which carries the same identity) arrived on this connection. */
  greeted: boolean;
  /** Why it cannot be in a quorum with us (license or SERVER-order mismatch, another triad). */
  problem: string | null;
  /** What it last said of itself (hello, heartbeat, acknowledgement); null before it spoke. */
  standing: MemberStanding | null;
  /** Highest epoch it told us of since our restart (a learner waits for both peers' epochs). */
  epochSeen: number | null;
  lastHeardAt: number | null;
  /** Counted as up at the end of the last step (for join/loss log lines). */
  up: boolean;
  link: LinkStats;
  /**
   * Master only: highest index known to match our log, and the next index to send. Once the peer
   * is `confirmed`, nextIndex moves past every append as it is sent (pipelining: each op goes out
   * once, not again with every later op until acknowledged); before that it stays where the
   * probe starts, and a refused append moves it back.
   */
  matchIndex: number;
  nextIndex: number;
  lastAppendSentAt: number | null;
  /**
   * Master only: an append was acknowledged on this connection (and none refused since). Until
   * then the master sends one even with nothing new, so a restarted member learns at once how far
   * its log is committed, and it does not pipeline.
   */
  confirmed: boolean;
  /** Master only: the snapshot last sent to this peer (sent again only after E unless answered). */
  snapshotSent: { at: number; index: number } | null;
  /** Frames of a snapshot this peer is sending us, until the last one arrives. */
  snapshotFrames: PartialSnapshot | null;
}

export interface QuorumState {
  running: boolean;
  nowMs: number;
  identity: LicenseIdentity;
  /** The identity before the last license switch: members that have not switched yet still count. */
  previousIdentity: LicenseIdentity | null;
  persisted: PersistedHardState;
  log: LogWindow;
  role: QuorumRole;
  /** The master this member follows (or itself); null when none is known. */
  masterRank: Rank | null;
  lastMasterHeardAt: number | null;
  /** Promise to the last master heard: no vote for anyone before this (memory only; a restart keeps it by waiting E, T2). */
  promisedUntil: number;
  electionDueAt: number;
  preVote: { epoch: number } | null;
  /** Candidate: its commit index when it asked for votes (where a voter's suffix starts). */
  candidateCommitIndex: number;
  /**
   * Candidate: a vote whose suffix starts past our commit index, kept until the voter's snapshot
   * (sent before the vote, but frames may arrive after it) completes it.
   */
  pendingVote: { from: Rank; vote: Extract<PeerMessage, { type: 'vote' }> } | null;
  /** Follower: how far its log is known to match the current master's. */
  verifiedIndex: number;
  appliedIndex: number;
  /**
   * The license switches applied since the log's snapshot, after the last one before it: a
   * compaction keeps the last switch it drops, and a snapshot sent to a peer carries it.
   */
  appliedSwitches: LogEntry[];
  /** Master: serves until then (own clock), on an acknowledged heartbeat from `leaseFrom`. */
  leaseUntil: number;
  leaseFrom: Rank | null;
  masterSince: number;
  noopIndex: number;
  pendingRequests: { index: number; requestId: string }[];
  nextHeartbeatAt: number;
  peers: Record<Rank, PeerState>;
  /** Bring-up lines kept until this member is master (narration.ts). */
  pendingLines: PendingLine[];
  reported: { role: QuorumRole; masterRank: Rank | null; serving: boolean };
}

export function newPeer(): PeerState {
  return {
    connected: false,
    greeted: false,
    problem: null,
    standing: null,
    epochSeen: null,
    lastHeardAt: null,
    up: false,
    link: emptyLinkStats(),
    matchIndex: 0,
    nextIndex: 1,
    lastAppendSentAt: null,
    confirmed: false,
    snapshotSent: null,
    snapshotFrames: null,
  };
}

