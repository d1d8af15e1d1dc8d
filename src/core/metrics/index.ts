export {
  formatOpenMetrics,
  formatPrometheusText,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_TEXT_CONTENT_TYPE,
  type MetricFamily,
  type MetricSample,
  type MetricType,
} from './openMetrics';
export { collectServerMetrics, ServerCounters, type MetricsInput, type ProcessSample, type AdminAuthNumbers } from './serverMetrics';
export { denialCodeOf, type DenialLabel } from './denialReason';
export { sampleProcess } from './processSample';
export { startMetricsEndpoint, sendMetrics, type MetricsEndpoint } from './metricsEndpoint';
export { diskMetricFamilies, type DiskMetricsInput } from './diskMetrics';
