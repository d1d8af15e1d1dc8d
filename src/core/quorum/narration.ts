import type { QuorumRole } from './inputs';
import { logLines } from './logLines';
import { RANKS, type QuorumConfig, type Rank } from './types';

/** A debug-log line and the daemon that writes it. */
export interface DebugLine {
  daemon: string;
  message: string;
}

/** A bring-up line kept until this member is master. `rank`: it is about that peer's link, and goes when the link does. */
export interface PendingLine extends DebugLine {
  rank?: Rank;
}

/** Bring-up lines kept for the debug log until this member becomes master. */
const PENDING_LINES_MAX = 50;

/** What the narration reads and keeps of the machine's state. */
export interface NarrationState {
  role: QuorumRole;
  pendingLines: PendingLine[];
}

/**
 * The FlexLM-style story a member's debug log tells (README "Choices"): only the master writes
 * the quorum's lines; bring-up lines (configuration enabled, attempting connection...) are kept
 * and written when the member first becomes master, so the master's log reads like the seed white
 * paper's; a kept line about a peer's link is dropped when that link goes.
 */
export class Narration {
  constructor(
    private readonly config: Pick<QuorumConfig, 'self' | 'hosts' | 'daemons'>,
    private readonly state: NarrationState,
    private readonly write: (line: DebugLine) => void,
  ) {}

  /** What a starting member says before it hears anyone, kept until it is master. */
  bringUpLines(): PendingLine[] {
    const { lmgrd } = this.config.daemons;
    return [
      { daemon: lmgrd, message: logLines.configurationEnabled },
      { daemon: lmgrd, message: logLines.tryingConnections },
      ...RANKS.filter((rank) => rank !== this.config.self).map((rank) => ({
        daemon: lmgrd,
        message: logLines.attemptingConnection(rank, this.config.hosts[rank]),
      })),
    ];
  }

  /** Only the master writes the debug log. */
  ifMaster(daemon: string, message: string): void {
    if (this.state.role === 'master') this.write({ daemon, message });
  }

  /** A peer's link came up or went, as the end of a step counts it. */
  peerLink(rank: Rank, up: boolean, serving: boolean): void {
    const { lmgrd } = this.config.daemons;
    const host = this.config.hosts[rank];
    if (up) {
      this.bringUp({ daemon: lmgrd, message: logLines.establishedConnection(rank, host), rank });
      this.bringUp({ daemon: lmgrd, message: logLines.connectedTo(host), rank });
      if (serving) this.ifMaster(lmgrd, logLines.selectedExisting(this.config.hosts[this.config.self]));
      return;
    }
    // a standby elected later must not claim a connection to a member gone since (issue 20)
    this.state.pendingLines = this.state.pendingLines.filter((line) => line.rank !== rank);
    this.ifMaster(lmgrd, logLines.lostConnection(host));
    this.ifMaster(lmgrd, logLines.disconnectedFrom(rank, host));
  }

  /** This member started or stopped serving: the kept bring-up lines and the quorum's story. */
  serving(serving: boolean): void {
    const { lmgrd, vendor } = this.config.daemons;
    const selfHost = this.config.hosts[this.config.self];
    if (serving) {
      for (const { daemon, message } of this.state.pendingLines) this.write({ daemon, message });
      this.state.pendingLines = [];
      this.write({ daemon: lmgrd, message: logLines.quorumEstablished(selfHost) });
      this.write({ daemon: vendor, message: logLines.connectedMaster(selfHost) });
    } else if (this.state.role === 'master') {
      this.write({ daemon: lmgrd, message: logLines.lostRedundantQuorum });
      this.write({ daemon: vendor, message: logLines.lostQuorum });
    }
  }

  private bringUp(line: PendingLine): void {
    if (this.state.role === 'master') {
      this.write({ daemon: line.daemon, message: line.message });
      return;
    }
    this.state.pendingLines.push(line);
    if (this.state.pendingLines.length > PENDING_LINES_MAX) this.state.pendingLines.shift();
  }
}
