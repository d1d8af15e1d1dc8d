import type { QuorumRole } from './inputs';
import { linkWarning, lossPercent } from './linkStats';
import type { QuorumMachine } from './machine';
import type { Rank } from './types';

export interface PeerStatusView {
  rank: Rank;
  host: string;
  connected: boolean;
  up: boolean;
  /** It is catching up and does not vote yet (its state was lost, replaced or foreign). */
  learner: boolean;
  rttMs: number | null;
  lastHeardAgeMs: number | null;
  lossPercent: number | null;
  problem: string | null;
  warning: string | null;
}

export interface QuorumStatusView {
  role: QuorumRole;
  serving: boolean;
  /** This member is catching up and does not vote yet. */
  learner: boolean;
  triadId: string | null;
  masterRank: Rank | null;
  quorum: boolean;
  epoch: number;
  commitIndex: number;
  peers: PeerStatusView[];
  warnings: string[];
}

/** What the admin status and the quorum events read of a member's machine at `nowMs`. */
export function quorumStatusView(machine: QuorumMachine, nowMs: number): QuorumStatusView {
  const s = machine.state;
  const peers = machine.otherRanks().map((rank): PeerStatusView => {
    const peer = s.peers[rank];
    const loss = lossPercent(peer.link, nowMs, machine.timings.peerLostMs);
    const host = machine.config.hosts[rank];
    return {
      rank,
      host,
      connected: peer.connected,
      up: machine.peerUp(rank),
      learner: peer.standing?.learner ?? false,
      rttMs: peer.link.rttMs,
      lastHeardAgeMs: peer.lastHeardAt === null ? null : Math.max(0, nowMs - peer.lastHeardAt),
      lossPercent: loss,
      problem: peer.problem,
      warning: peer.connected ? linkWarning(host, peer.link.rttMs, loss, machine.timings.heartbeatMs) : null,
    };
  });
  const warnings = peers.flatMap((peer) => [peer.problem, peer.warning].filter((text): text is string => text !== null));
  return {
    role: s.role,
    serving: machine.canServe(nowMs),
    learner: s.persisted.learner,
    triadId: s.persisted.triadId,
    masterRank: s.masterRank,
    quorum: machine.inQuorum(),
    epoch: s.persisted.epoch,
    commitIndex: s.persisted.commitIndex,
    peers,
    warnings,
  };
}
