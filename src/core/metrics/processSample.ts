import type { ProcessSample } from './serverMetrics';

/** Process start, measured once (uptime counts from it). */
const startTimeSeconds = Date.now() / 1000 - process.uptime();

/** The process numbers /metrics reports, read now. */
export function sampleProcess(): ProcessSample {
  const cpu = process.cpuUsage();
  return {
    residentBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    startTimeSeconds: Math.round(startTimeSeconds * 1000) / 1000,
  };
}
