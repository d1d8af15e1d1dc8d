import { RANK_NAMES, type QuorumStatusView, type Rank } from '../../quorum';

/**
 * What one triad member saw of its quorum, in its own words, on every member (issue 20: a member
 * with another cluster secret was invisible). The rule:
 *
 * - The master's debug log tells FlexNet's story (licenses, "Redundant server quorum
 *   established..."), as before; the quorum machine writes those lines.
 * - Besides, every member, master or standby, writes its own quorum events to its own debug log,
 *   each line starting `Quorum:`: a member joined (its link authenticated), left (and how: its
 *   link closed, or it went silent), the master was lost, a master was elected, the quorum was
 *   lost. Refused links are logged by the driver on both sides with the reason.
 * - Per member, the reason it is out (refused and why, unreachable and why) is kept for the
 *   status: lmstat, `--json` and the admin UI show it instead of a bare "not reachable".
 *
 * Pure apart from `write`: the driver feeds it what it sees and the machine's status view.
 */

/** How a member's last attempt to talk to us, or ours to it, went wrong. */
export type MemberTrouble = { kind: 'refused' | 'unreachable'; detail: string };

export interface QuorumEventsOptions {
  hosts: readonly [string, string, string];
  self: Rank;
  /** One line for this member's own debug log. */
  write: (message: string) => void;
  /** A trouble older than this is no longer the reason (the member stopped trying, or we did). */
  troubleTtlMs: number;
}

export class QuorumEvents {
  private readonly troubles = new Map<Rank, MemberTrouble & { at: number }>();
  private readonly linkClosedAt = new Map<Rank, number>();
  private seen: Record<Rank, boolean> = { 0: false, 1: false, 2: false };
  private last: { masterRank: Rank | null; quorum: boolean } = { masterRank: null, quorum: false };

  constructor(private readonly options: QuorumEventsOptions) {}

  /** The link to `rank` was refused (by us or by it), or could not be made. */
  trouble(rank: Rank, trouble: MemberTrouble, nowMs: number): void {
    this.troubles.set(rank, { ...trouble, at: nowMs });
  }

  /** An authenticated link to `rank` is up: whatever went wrong before is over. */
  linked(rank: Rank): void {
    this.troubles.delete(rank);
    this.linkClosedAt.delete(rank);
  }

  linkClosed(rank: Rank, nowMs: number): void {
    this.linkClosedAt.set(rank, nowMs);
  }

  /** Why `rank` is not in the quorum with us, for the status; null when nothing is known. */
  reason(rank: Rank, nowMs: number): string | null {
    const trouble = this.troubles.get(rank);
    if (!trouble || nowMs - trouble.at > this.options.troubleTtlMs) return null;
    return trouble.kind === 'refused' ? `refused: ${trouble.detail}` : `not reachable: ${trouble.detail}`;
  }

  /** Compares the machine's view with the last one and writes a line for each change. */
  observe(view: QuorumStatusView, nowMs: number): void {
    const { hosts, self } = this.options;
    const name = (rank: Rank) => `${RANK_NAMES[rank]} ${hosts[rank]}`;
    for (const peer of view.peers) {
      if (peer.up === this.seen[peer.rank]) continue;
      this.seen[peer.rank] = peer.up;
      if (peer.up) this.options.write(`Quorum: the ${name(peer.rank)} joined (authenticated link)`);
      else this.options.write(`Quorum: lost the ${name(peer.rank)} (${this.howLost(peer.rank, peer.problem, nowMs)})`);
    }
    const masterRank = view.masterRank;
    if (masterRank !== this.last.masterRank) {
      const previous = this.last.masterRank;
      if (previous !== null && previous !== self) this.options.write(`Quorum: lost the master, the ${name(previous)}`);
      if (masterRank === self) this.options.write(`Quorum: this server (${name(self)}) was elected master (epoch ${view.epoch})`);
      else if (masterRank !== null) this.options.write(`Quorum: the master is the ${name(masterRank)} (epoch ${view.epoch})`);
    }
    if (!view.quorum && this.last.quorum)
      this.options.write('Quorum: lost the quorum: neither other member is in it with this server, which serves nobody now');
    this.last = { masterRank, quorum: view.quorum };
  }

  private howLost(rank: Rank, problem: string | null, nowMs: number): string {
    if (problem) return problem;
    const trouble = this.reason(rank, nowMs);
    if (trouble) return trouble;
    return this.linkClosedAt.has(rank) ? 'its link closed' : 'no heartbeat from it in time';
  }
}
