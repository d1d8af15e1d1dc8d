export { formatLmstatText, formatLmstatFailure, userLine, LMSTAT_BANNER } from './formatText';
export { formatLicenseTable } from './formatLicenseTable';
export { lmstatJson, type LmstatJson } from './formatJson';
export { formatStatusDate, formatStartTime, localTimeZone, type LmstatClock } from './clock';
export { authoritativeStatus, connectFailureDetail, type ConnectFailure, type LmstatOptions, type MemberProbe, type ServerReport } from './report';
export { quorumProblems } from './quorumProblems';
