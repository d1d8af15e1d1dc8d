import type { MemberRank, MemberStatus, ServerStatus } from './status';

/** A machine on a triad's SERVER line: its host (null when only the host id was recorded) and host id. */
export interface TriadMachine {
  host: string | null;
  hostid: string;
}

/**
 * A replacement of one triad member done on this server (`triad replace-server` or the admin
 * screens): what the administrator still has to do on the other two follows from it and the
 * live status. Kept until the status shows the triad whole again.
 */
export interface PendingReplacement {
  atMs: number;
  /** The SERVER line (1-3) that names the new machine. */
  position: number;
  rank: MemberRank;
  from: TriadMachine;
  to: TriadMachine;
}

export interface ReplacementStep {
  text: string;
  done: boolean;
}

export function describeMachine(machine: TriadMachine): string {
  return machine.host === null ? `host id ${machine.hostid}` : `${machine.host} (host id ${machine.hostid})`;
}

/**
 * What is left to do on the other members after this one accepted the new SERVER line (README,
 * "Replace a server"), each step marked done when this server's status shows it: the other
 * member that stays serves the same file (it is up again beside this one), the new machine runs
 * and has joined, and it caught up and votes (no longer a learner).
 */
export function replacementSteps(pending: PendingReplacement, status: ServerStatus | null): ReplacementStep[] {
  const members = status?.mode === 'triad' && status.role !== 'stopped' && status.members.length === 3 ? status.members : null;
  const newIndex = pending.position - 1;
  const selfIndex = members?.findIndex((member) => member.self) ?? -1;
  const other: MemberStatus | undefined = members?.find((_, i) => i !== newIndex && i !== selfIndex);
  const added = members?.[newIndex];
  const newHost = pending.to.host ?? `the machine with host id ${pending.to.hostid}`;
  const steps: ReplacementStep[] = [
    {
      text:
        `On ${other ? other.host : 'the other server that stays'}: replace the server there too, with the same license file (its License files ` +
        'screen, "Replace a server…", or while it is stopped `triad replace-server -c NEW.lic --data DIR`). Until both have the file they refuse ' +
        'each other.',
      done: other?.up === true,
    },
    {
      text:
        `On ${newHost}, the new machine: install Triad, put the same license file, the vendor's public key and this triad's cluster secret there ` +
        '(`triad cluster-secret --import`), and start it with an empty data folder.',
      done: added !== undefined && (added.up || added.learner === true),
    },
    {
      text: `${newHost} joins as a learner: it catches up from the master and votes once it holds everything the master has committed.`,
      done: added !== undefined && added.up && added.learner !== true,
    },
  ];
  return steps;
}

/** The learner line a member shows while it catches up: joined, but not counted in the quorum yet. */
export function learnerNote(member: MemberStatus): string | null {
  if (member.learner !== true) return null;
  return `${member.host} (${member.rank}) joined as a learner and is not in the quorum yet: it has a new or emptied data folder and catches up ` +
    'from the master; it votes and counts towards the quorum once it holds everything the master has committed.';
}
