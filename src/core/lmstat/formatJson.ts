import type { FeatureStatus, ServerStatus } from '../../shared/status';
import { authoritativeStatus, connectFailureMessage, type LmstatOptions, type ServerReport } from './report';
import { quorumProblems } from './quorumProblems';

/** `lmstat --json`: the data behind the text, with the same feature and vendor selection. */
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
            : { host: probe.host, port: probe.port, up: false, master: false, version: null, error: connectFailureMessage(probe.failure), quorum: null },
        ),
        status: status && { ...status, features: selectedFeatures(status, options) },
      };
    }),
  };
}

/** The pools the text would show: by -a, -A, -f FEATURE and -S VENDOR. */
function selectedFeatures(status: ServerStatus, options: LmstatOptions): FeatureStatus[] {
  const pools = options.vendor === undefined ? status.features : status.features.filter((pool) => pool.vendor === options.vendor);
  const { usage } = options;
  if (usage === 'none') return [];
  if (usage === 'all') return pools;
  if (usage === 'active') {
    const active = new Set(pools.filter((pool) => pool.inUse > 0).map((pool) => pool.name));
    return pools.filter((pool) => active.has(pool.name));
  }
  return pools.filter((pool) => pool.name === usage.feature);
}
