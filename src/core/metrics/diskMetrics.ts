import type { DiskStatus, LogName, LogTableState } from '../../shared/logRetention';
import type { MetricFamily } from './openMetrics';

/**
 * /metrics about the disk and the two logs retention keeps in bounds (issue 21): alert on
 * `triad_disk_low` before `triad_disk_refusing_grants` turns to 1. Pure.
 */
export interface DiskMetricsInput {
  /** Null until the first measurement. */
  disk: DiskStatus | null;
  logs: Record<LogName, LogTableState>;
  rotatedRows: Readonly<Record<LogName, number>>;
  /** The longest synchronous step retention has taken on the event loop since the start, ms. */
  longestStepMs: number;
}

export function diskMetricFamilies(input: DiskMetricsInput): MetricFamily[] {
  const { disk } = input;
  const perLog = (value: (log: LogName) => number) => (['debug', 'report'] as const).map((log) => ({ labels: { log }, value: value(log) }));
  const families: MetricFamily[] = [
    {
      name: 'triad_log_rows',
      type: 'gauge',
      help: 'Rows kept in the debug log and the report log.',
      samples: perLog((log) => input.logs[log].rows),
    },
    {
      name: 'triad_log_size_bytes',
      type: 'gauge',
      unit: 'bytes',
      help: 'Estimated space the rows of each log take in the database (what the size limit is checked against).',
      samples: perLog((log) => input.logs[log].estimatedBytes),
    },
    {
      name: 'triad_log_rotated_rows',
      type: 'counter',
      help: 'Rows moved out of each log (to archive files, or dropped with archives off) since the server started.',
      samples: perLog((log) => input.rotatedRows[log]),
    },
    {
      name: 'triad_log_rotation_longest_step_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: 'Longest synchronous step log rotation took on the event loop since the server started (requests wait behind it).',
      samples: [{ value: input.longestStepMs / 1000 }],
    },
  ];
  if (disk === null) return families;
  return [
    ...families,
    { name: 'triad_disk_free_bytes', type: 'gauge', unit: 'bytes', help: "Free space on the data folder's file system.", samples: [{ value: disk.freeBytes }] },
    {
      name: 'triad_disk_low',
      type: 'gauge',
      help: 'Free space (file system plus free pages in the database) is below the warning threshold: 1, else 0.',
      samples: [{ value: disk.state === 'ok' ? 0 : 1 }],
    },
    {
      name: 'triad_disk_refusing_grants',
      type: 'gauge',
      help: 'New licenses are refused for want of disk space (below the refuse threshold, or a write failed): 1, else 0.',
      samples: [{ value: disk.state === 'refusing' || disk.state === 'full' ? 1 : 0 }],
    },
  ];
}
