import { QuorumMachine, type QuorumConfig } from '../../src/core/quorum';

/** The SERVER-line hosts (and host ids) of a quorum engine in a unit test, by rank. */
export const QUORUM_TEST_HOSTS = ['alpha', 'bravo', 'charlie'] as const;

/**
 * One quorum engine on its own, as the unit tests talk to it: QUORUM_TEST_HOSTS, a 1 s heartbeat,
 * a 1 % drift bound, no PRIMARY_IS_MASTER; `config` names the member and its
 * license and changes any of the rest.
 */
export function quorumTestMachine(config: Pick<QuorumConfig, 'self' | 'identity'> & Partial<QuorumConfig>): QuorumMachine {
  return new QuorumMachine({
    hosts: QUORUM_TEST_HOSTS,
    memberKeys: QUORUM_TEST_HOSTS,
    newTriadId: `new-${config.self}`,
    heartbeatIntervalMs: 1000,
    driftBound: 0.01,
    primaryIsMaster: false,
    daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
    ...config,
  });
}
