import type { ServerRole, ServerStatus } from '../../shared/status';
import type { ReportLogEntry } from '../store';
import { denialCodeOf, denialLabels } from './denialReason';
import type { MetricFamily, MetricSample } from './openMetrics';

/**
 * What a license server exposes on /metrics (issue 7): gauges read from the status snapshot, and
 * counters incremented where the events happen. The backend feeds the counters from the report
 * rows it already writes (checkout, checkin, denial, reclaim, remove) and from the master gate.
 * Pure: the driver passes in the process sample and the listener's numbers.
 */

type Counts = Map<string, number>;

function bump(counts: Counts, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** Counters of one running server; they start at zero with it (Prometheus handles resets). */
export class ServerCounters {
  readonly checkouts: Counts = new Map();
  readonly checkins: Counts = new Map();
  readonly reclaimed: Counts = new Map();
  readonly denials: Counts = new Map();
  private lastMaster: string | null = null;
  private failoverCount = 0;

  /** One row of the report log as the licensing service writes it. */
  observeReport(row: Pick<ReportLogEntry, 'event' | 'feature' | 'reason'>): void {
    switch (row.event) {
      case 'OUT':
        return bump(this.checkouts, row.feature);
      case 'IN':
        return bump(this.checkins, row.feature);
      case 'DENIED':
        return bump(this.denials, denialCodeOf(row.reason));
      case 'RECLAIM':
        return bump(this.reclaimed, 'timeout');
      case 'REMOVE':
        return bump(this.reclaimed, 'lmremove');
    }
  }

  /**
   * The master as this member sees it, after every change of the gate. A failover is the
   * master changing from one server to another; losing and regaining the same master is not.
   */
  observeMaster(master: string | null): void {
    if (master === null) return;
    if (this.lastMaster !== null && master !== this.lastMaster) this.failoverCount += 1;
    this.lastMaster = master;
  }

  get failovers(): number {
    return this.failoverCount;
  }
}

export interface ProcessSample {
  residentBytes: number;
  heapUsedBytes: number;
  cpuSeconds: number;
  startTimeSeconds: number;
  /** How late the event loop ran timers since the previous sample (stalls: GC, long work), seconds. */
  eventLoopLag: { p50: number; p99: number; max: number } | null;
}

export interface AdminAuthNumbers {
  failures: number;
  lockouts: number;
}

export interface MetricsInput {
  status: ServerStatus;
  /** Null while the server is stopped (the admin app keeps answering). */
  counters: ServerCounters | null;
  connections: number;
  /** Connection limit breaches and bad input, by kind (see LicenseListener). */
  connectionProblems: ReadonlyMap<string, number>;
  adminAuth: AdminAuthNumbers;
  process: ProcessSample | null;
}

const ROLES: readonly ServerRole[] = ['master', 'standby', 'no-quorum', 'stopped'];

function labelled(counts: ReadonlyMap<string, number> | undefined, label: string, known: Iterable<string> = []): MetricSample[] {
  const keys = new Set([...known, ...(counts?.keys() ?? [])]);
  return [...keys].sort().map((key) => ({ labels: { [label]: key }, value: counts?.get(key) ?? 0 }));
}

function seatGauges(status: ServerStatus): { issued: MetricSample[]; inUse: MetricSample[] } {
  // several pools can share a feature name (versions, INCREMENT lines): one sample per feature
  const byFeature = new Map<string, { feature: string; vendor: string; issued: number; inUse: number; counted: boolean }>();
  for (const f of status.features) {
    const key = `${f.vendor}\u0000${f.name}`;
    const entry = byFeature.get(key) ?? { feature: f.name, vendor: f.vendor, issued: 0, inUse: 0, counted: false };
    if (f.served && f.issued !== null) {
      entry.issued += f.issued;
      entry.counted = true;
    }
    entry.inUse += f.inUse;
    byFeature.set(key, entry);
  }
  const entries = [...byFeature.values()].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.feature.localeCompare(b.feature));
  return {
    // uncounted features have no seat count to report
    issued: entries.filter((e) => e.counted).map((e) => ({ labels: { feature: e.feature, vendor: e.vendor }, value: e.issued })),
    inUse: entries.map((e) => ({ labels: { feature: e.feature, vendor: e.vendor }, value: e.inUse })),
  };
}

export function collectServerMetrics(input: MetricsInput): MetricFamily[] {
  const { status, counters } = input;
  const seats = seatGauges(status);
  const features = [...new Set(status.features.map((f) => f.name))];
  const peers = status.members.filter((m) => !m.self);
  const families: MetricFamily[] = [
    { name: 'triad_build', type: 'info', help: 'Server version.', samples: [{ labels: { version: status.version }, value: 1 }] },
    {
      name: 'triad_up',
      type: 'gauge',
      help: '1 while the license server runs, 0 while it is stopped.',
      samples: [{ value: status.role === 'stopped' ? 0 : 1 }],
    },
    {
      name: 'triad_role',
      type: 'gauge',
      help: "This server's role: 1 for the current one, 0 for the others.",
      samples: ROLES.map((role) => ({ labels: { role }, value: status.role === role ? 1 : 0 })),
    },
    {
      name: 'triad_quorum',
      type: 'gauge',
      help: '1 while the servers have a quorum (a single server always does while it runs).',
      samples: [{ value: status.quorum ? 1 : 0 }],
    },
    { name: 'triad_seats_issued', type: 'gauge', help: 'Seats licensed per feature (served, counted pools).', samples: seats.issued },
    { name: 'triad_seats_in_use', type: 'gauge', help: 'Seats checked out per feature.', samples: seats.inUse },
    {
      name: 'triad_checkouts',
      type: 'counter',
      help: 'Checkouts granted (resumed seats not counted).',
      samples: labelled(counters?.checkouts, 'feature', features),
    },
    { name: 'triad_checkins', type: 'counter', help: 'Seats checked in by their clients.', samples: labelled(counters?.checkins, 'feature', features) },
    {
      name: 'triad_seats_reclaimed',
      type: 'counter',
      help: 'Seats freed without a checkin: timeout (no heartbeat) or lmremove.',
      samples: labelled(counters?.reclaimed, 'cause', ['timeout', 'lmremove']),
    },
    { name: 'triad_denials', type: 'counter', help: 'Checkouts denied, by reason code.', samples: labelled(counters?.denials, 'reason', denialLabels) },
    {
      name: 'triad_failovers',
      type: 'counter',
      help: 'Times the master changed from one server to another, as this server saw it.',
      samples: [{ value: counters?.failovers ?? 0 }],
    },
    {
      name: 'triad_peer_up',
      type: 'gauge',
      help: 'Other triad members: 1 when running and talking to this server.',
      samples: peers.map((m) => ({ labels: { peer: m.host }, value: m.up ? 1 : 0 })),
    },
    {
      name: 'triad_peer_heartbeat_age_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: 'Time since the last heartbeat from each other triad member.',
      samples: peers.flatMap((m) => (m.heartbeatAgeMs === null ? [] : [{ labels: { peer: m.host }, value: m.heartbeatAgeMs / 1000 }])),
    },
    {
      name: 'triad_connections',
      type: 'gauge',
      help: 'Open connections on the license port (clients, admin tools, peers).',
      samples: [{ value: input.connections }],
    },
    {
      name: 'triad_connection_problems',
      type: 'counter',
      help: 'Connections refused or closed by a limit or bad input, by kind.',
      samples: labelled(input.connectionProblems, 'kind'),
    },
    {
      name: 'triad_admin_auth_failures',
      type: 'counter',
      help: 'Admin commands refused for a missing or wrong admin token.',
      samples: [{ value: input.adminAuth.failures }],
    },
    {
      name: 'triad_admin_lockouts',
      type: 'counter',
      help: 'Addresses locked out after repeated failed admin authentication.',
      samples: [{ value: input.adminAuth.lockouts }],
    },
  ];
  if (input.process) families.push(...processFamilies(input.process));
  return families;
}

/** The names the Prometheus client libraries use, so existing dashboards work. */
function processFamilies(p: ProcessSample): MetricFamily[] {
  return [
    { name: 'process_cpu_seconds', type: 'counter', unit: 'seconds', help: 'User and system CPU time spent.', samples: [{ value: p.cpuSeconds }] },
    { name: 'process_resident_memory_bytes', type: 'gauge', unit: 'bytes', help: 'Resident memory size.', samples: [{ value: p.residentBytes }] },
    {
      name: 'process_start_time_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: 'Start time of the process since the Unix epoch.',
      samples: [{ value: p.startTimeSeconds }],
    },
    { name: 'nodejs_heap_used_bytes', type: 'gauge', unit: 'bytes', help: 'V8 heap in use.', samples: [{ value: p.heapUsedBytes }] },
    ...(p.eventLoopLag ? eventLoopLagFamilies(p.eventLoopLag) : []),
  ];
}

/** prom-client's names for the event-loop delay since the last scrape. */
function eventLoopLagFamilies(lag: NonNullable<ProcessSample['eventLoopLag']>): MetricFamily[] {
  const family = (name: string, help: string, value: number): MetricFamily => ({ name, type: 'gauge', unit: 'seconds', help, samples: [{ value }] });
  return [
    family('nodejs_eventloop_lag_p50_seconds', 'Median event-loop delay since the last scrape.', lag.p50),
    family('nodejs_eventloop_lag_p99_seconds', '99th percentile of the event-loop delay since the last scrape.', lag.p99),
    family('nodejs_eventloop_lag_max_seconds', 'Longest event-loop delay since the last scrape.', lag.max),
  ];
}
