import type { MemberStatus, ServerStatus } from '../../../shared/status';

/**
 * What a status snapshot says about serving, made to agree with what clients get and what
 * lmstat prints: a member without quorum serves nobody (lmstat: "The desired vendor daemon is
 * down", checkouts denied), so its vendors are down, its features are not served, and one
 * sentence says why. A standby says that the seats it shows are the master's, replicated.
 * Pure: applied to every snapshot after the triad has added its view of the peers.
 */
export function explainServing(status: ServerStatus): ServerStatus {
  switch (status.role) {
    case 'master':
    case 'stopped':
      return status;
    case 'standby':
      return { ...status, seatsFrom: { master: status.master } };
    case 'no-quorum': {
      const why = noQuorumReason(status.members);
      return {
        ...status,
        notServing: `No quorum: this server gives out no licenses and checkouts are denied. ${why}`,
        seatsFrom: { master: null },
        vendors: status.vendors.map((vendor) => ({ ...vendor, up: false, problem: 'The desired vendor daemon is down: no quorum (lmstat -97)' })),
        features: status.features.map((feature) => ({
          ...feature,
          served: false,
          notServedReason: feature.served ? 'no quorum: no server of the three serves licenses now' : feature.notServedReason,
        })),
      };
    }
  }
}

/** Which members are missing and why, in one or two sentences. */
function noQuorumReason(members: readonly MemberStatus[]): string {
  const missing = members.filter((member) => !member.self && !member.up);
  const need = 'Two of the three redundant servers must run and reach each other';
  if (missing.length === 0) return `${need}; they are choosing a master now.`;
  const names = missing.map((member) => `${member.host} (${member.rank}): ${member.problem ?? 'not reachable'}`).join('; ');
  return `${need}. Out of reach: ${names}. Start the missing server or restore its network link.`;
}
