export { formatLmstatText, formatLmstatFailure, userLine } from './formatText';
export { formatLicenseTable } from './formatLicenseTable';
export { lmstatJson, type LmstatJson } from './formatJson';
export { formatStatusDate, formatStartTime, localTimeZone, type LmstatClock } from './clock';
export { LMUTIL_BANNER, formatLmutilVersion, flexnetPlatform, type VersionIdentity } from './identity';
export {
  authoritativeStatus,
  connectFailureDetail,
  connectFailureMessage,
  type ConnectFailure,
  type LmstatOptions,
  type MemberProbe,
  type ServerReport,
  type UsageSelection,
} from './report';
export { quorumProblems } from './quorumProblems';
