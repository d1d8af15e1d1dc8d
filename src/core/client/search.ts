/**
 * The client search (issue 5, reference section 3): entries in order; an entry that does not
 * answer or denies moves the search to the next entry; a triad entry finds its master through
 * any live member (a standby redirects, which the attempt follows); and the search is sticky:
 * once a server granted a seat to this client process, later searches try that server first.
 *
 * Pure: what one attempt at one address does (connect, checkout, follow redirects) is passed in,
 * so the order and stickiness rules are tested without sockets.
 */
import { MEMBER_NOT_SERVING_MAJOR } from '../protocol/denial';

export interface ServerAddress {
  host: string;
  port: number;
}

export interface SearchTarget {
  /** As the user wrote it: `27000@host`, `27000@a,27000@b,27000@c`, a license file path. */
  label: string;
  /** Where the entry came from (`-c`, `LM_LICENSE_FILE`, `client configuration "x"`). */
  source: string;
  /** A triad: a member that cannot serve (no quorum, not master) sends us to the next member. */
  redundant: boolean;
  /** Tried in order until one answers: a triad's members, or `@host`'s ten ports. */
  addresses: ServerAddress[];
}

export type AttemptOutcome<T> =
  | { kind: 'granted'; value: T; server: ServerAddress }
  | { kind: 'denied'; code: number; reason: string; server: ServerAddress }
  | { kind: 'unreachable'; error: string };

export type Attempt<T> = (address: ServerAddress) => Promise<AttemptOutcome<T>>;

export interface SearchStep {
  target: string;
  address: ServerAddress;
  outcome: 'granted' | 'denied' | 'unreachable';
  detail: string;
}

export type SearchOutcome<T> =
  | { kind: 'granted'; value: T; server: ServerAddress; steps: SearchStep[] }
  | { kind: 'denied'; code: number; reason: string; server: ServerAddress; steps: SearchStep[] }
  | { kind: 'unreachable'; steps: SearchStep[] };



export class LicenseSearch {
  private stickyServer: ServerAddress | null = null;

  constructor(readonly targets: readonly SearchTarget[]) {}

  /** The server that granted this process's first seat, tried first from then on. */
  get sticky(): ServerAddress | null {
    return this.stickyServer;
  }

  async run<T>(attempt: Attempt<T>): Promise<SearchOutcome<T>> {
    const steps: SearchStep[] = [];
    let lastDenial: Extract<AttemptOutcome<T>, { kind: 'denied' }> | null = null;
    const plan: SearchTarget[] = this.stickyServer
      ? [{ label: `${this.stickyServer.port}@${this.stickyServer.host}`, source: 'sticky', redundant: false, addresses: [this.stickyServer] }, ...this.targets]
      : [...this.targets];
    for (const target of plan) {
      for (const address of target.addresses) {
        const outcome = await attempt(address);
        steps.push({ target: target.label, address, outcome: outcome.kind, detail: describe(outcome) });
        if (outcome.kind === 'granted') {
          this.stickyServer ??= outcome.server;
          return { ...outcome, steps };
        }
        if (outcome.kind === 'unreachable') continue;
        lastDenial = outcome;
        if (!(target.redundant && outcome.code === MEMBER_NOT_SERVING_MAJOR)) break;
      }
    }
    return lastDenial ? { ...lastDenial, steps } : { kind: 'unreachable', steps };
  }
}

function describe(outcome: AttemptOutcome<unknown>): string {
  switch (outcome.kind) {
    case 'granted':
      return `granted by ${outcome.server.port}@${outcome.server.host}`;
    case 'denied':
      return outcome.reason;
    case 'unreachable':
      return outcome.error;
  }
}
