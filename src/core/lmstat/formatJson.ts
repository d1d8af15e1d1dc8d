import type { ServerStatus } from '../../shared/status';
import { authoritativeStatus, connectFailureDetail, type LmstatOptions, type ServerReport } from './report';
import { quorumProblems } from './quorumProblems';

/** `lmstat --json`: the data behind the text, with the same feature filter. */
export interface LmstatJson {
  takenAt: number;
  servers: {
    /** `quorum`: why a member that answers is not in the triad's quorum (null: it is, or not a triad). */
    members: { host: string; port: number; up: boolean; master: boolean; version: string | null; error: string | null; quorum: string | null }[];
    status: ServerStatus | null;
  }[];
}

export function lmstatJson(reports: readonly ServerReport[], options: LmstatOptions, nowMs: number): LmstatJson {
  return {
    takenAt: nowMs,
    servers: reports.map((report) => {
      const status = authoritativeStatus(report);
      const outOfQuorum = new Map(quorumProblems(report).map(({ host, problem }) => [host, problem]));
      return {
        members: report.probes.map((probe) =>
          'status' in probe
            ? {
                host: probe.status.host,
                port: probe.status.port,
                up: true,
                master: probe.status.role === 'master',
                version: probe.status.version,
                error: null,
                quorum: outOfQuorum.get(probe.status.host) ?? null,
              }
            : {
                host: probe.host,
                port: probe.port,
                up: false,
                master: false,
                version: null,
                error: `Cannot connect to license server system. ${connectFailureDetail(probe.failure)}`,
                quorum: null,
              },
        ),
        status: status && { ...status, features: selectedFeatures(status, options) },
      };
    }),
  };
}

/** The pools the text would show: all with -a, one feature's with -f, none otherwise. */
function selectedFeatures(status: ServerStatus, options: LmstatOptions): ServerStatus['features'] {
  if (options.feature !== null) return status.features.filter((pool) => pool.name === options.feature);
  return options.all ? status.features : [];
}
