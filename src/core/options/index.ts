export * from './types';
export { parseOptionsFile } from './parse';
export { isAllowed, maxFor, reservationsFor, timeoutFor, lingerFor, isAuthorizedUser, authorizedUsers, type PolicyDecision } from './policy';
export { matchesTarget, matchesIpPattern, selectorMatches } from './match';
export { compareVersions } from './version';
