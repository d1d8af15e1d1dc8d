import type { PeerMessage, Rank } from '../../quorum';
import type { LogQueryMessage } from './peerLogQuery';
import type { MemberTrouble } from './quorumEvents';

/**
 * How the triad driver reaches the other two members. Over TCP in a server
 * (tcpPeerNetwork.ts), over a simulated network in the seeded simulation. Whoever provides
 * the links has proven who is at the other end before reporting `linkUp`.
 */

export interface PeerConnection {
  /** Best effort: a link that broke drops the message (the quorum protocol tolerates loss). */
  send(message: PeerMessage | LogQueryMessage): void;
  close(): void;
  /** `ip:port` of the other end, for logs and the audit table. */
  readonly remoteAddress: string;
}

export interface PeerNetworkEvents {
  linkUp(rank: Rank, link: PeerConnection): void;
  linkDown(rank: Rank, link: PeerConnection): void;
  /** A frame from `rank` on `link`, not yet validated. */
  message(rank: Rank, raw: unknown, link: PeerConnection): void;
  /** A link to `rank` was refused (by either side) or could not be made: the status says why. */
  trouble(rank: Rank, trouble: MemberTrouble): void;
}

export interface PeerNetwork {
  start(events: PeerNetworkEvents): void;
  /** Cuts every link and stops connecting. */
  stop(): void;
  /** Warnings for the status screen (e.g. peers trusted by address only). */
  warnings(): string[];
}
