import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessSample } from './serverMetrics';

/** Process start, measured once (uptime counts from it). */
const startTimeSeconds = Date.now() / 1000 - process.uptime();

/** Started at the first sample (the first scrape reports no lag), reset at every one after. */
let loopDelay: IntervalHistogram | null = null;

/** The process numbers /metrics reports, read now. */
export function sampleProcess(): ProcessSample {
  const cpu = process.cpuUsage();
  return {
    residentBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    startTimeSeconds: Math.round(startTimeSeconds * 1000) / 1000,
    eventLoopLag: eventLoopLagSinceLastSample(),
  };
}

function eventLoopLagSinceLastSample(): ProcessSample['eventLoopLag'] {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    return null;
  }
  const seconds = (ns: number) => Math.round(ns / 1e3) / 1e6;
  const lag = loopDelay.count === 0 ? null : { p50: seconds(loopDelay.percentile(50)), p99: seconds(loopDelay.percentile(99)), max: seconds(loopDelay.max) };
  loopDelay.reset();
  return lag;
}
