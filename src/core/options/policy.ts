/**
 * What the options file allows (reference section 5.1), as pure functions the feature pools
 * call on every checkout. Precedence: EXCLUDEALL/EXCLUDE first (on both lists => denied), then
 * the include list (INCLUDE lines for the feature plus INCLUDEALL): when it has any entry, only
 * those on it are allowed. RESERVE and MAX are counted by the pool with the rules returned here.
 */
import { matchesTarget, selectorMatches } from './match';
import type { CountRule, FeatureSeconds, Options, PolicyFeature, Requester } from './types';

export type PolicyDecision =
  | { allowed: true }
  | { allowed: false; reason: 'EXCLUDED' | 'NOT_INCLUDED'; detail: string };

export function isAllowed(options: Options, feature: PolicyFeature, who: Requester): PolicyDecision {
  const excluded =
    options.excludeAll.find((rule) => matchesTarget(options, rule.target, who)) ??
    options.excludes.find((rule) => selectorMatches(rule.feature, feature) && matchesTarget(options, rule.target, who));
  if (excluded) {
    return { allowed: false, reason: 'EXCLUDED', detail: `${options.fileName}:${excluded.line} ${excluded.target.type} ${excluded.target.name}` };
  }
  const includeList = [
    ...options.includeAll,
    ...options.includes.filter((rule) => selectorMatches(rule.feature, feature)),
  ];
  if (includeList.length > 0 && !includeList.some((rule) => matchesTarget(options, rule.target, who))) {
    return { allowed: false, reason: 'NOT_INCLUDED', detail: `${options.fileName} has an include list for ${feature.name}` };
  }
  return { allowed: true };
}

/** MAX rules that limit this requester on this feature line. */
export function maxFor(options: Options, feature: PolicyFeature, who: Requester): CountRule[] {
  return options.maxes.filter((rule) => selectorMatches(rule.feature, feature) && matchesTarget(options, rule.target, who));
}

/** RESERVE rules for this feature line, in file order (the pool caps their sum at the count). */
export function reservationsFor(options: Options, feature: PolicyFeature): CountRule[] {
  return options.reserves.filter((rule) => selectorMatches(rule.feature, feature));
}

/**
 * Idle timeout in seconds: the feature's TIMEOUT, else TIMEOUTALL, else null (the server's
 * default applies). Values under `minimumSeconds` (a publisher minimum, IBM 7200 s) are raised to it.
 */
export function timeoutFor(options: Options, feature: PolicyFeature, minimumSeconds = 0): number | null {
  const seconds = lastMatching(options.timeouts, feature)?.seconds ?? options.timeoutAll;
  return seconds === null ? null : Math.max(seconds, minimumSeconds);
}

/** LINGER from the options file, in seconds, or null. */
export function lingerFor(options: Options, feature: PolicyFeature): number | null {
  return lastMatching(options.lingers, feature)?.seconds ?? null;
}

/** Later lines override earlier ones, as when a daemon reads the file top to bottom. */
function lastMatching(rules: FeatureSeconds[], feature: PolicyFeature): FeatureSeconds | undefined {
  return rules.filter((rule) => selectorMatches(rule.feature, feature)).at(-1);
}

/**
 * Authorized User licenses (USER_BASED lines): only users named on an INCLUDE line for the
 * feature, directly (USER) or through a GROUP, may use it.
 */
export function isAuthorizedUser(options: Options, feature: PolicyFeature, who: Requester): boolean {
  return authorizedUsers(options, feature).includes(who.user);
}

/** The named users of a USER_BASED feature, in file order, without duplicates. */
export function authorizedUsers(options: Options, feature: PolicyFeature): string[] {
  const users: string[] = [];
  for (const rule of options.includes) {
    if (!selectorMatches(rule.feature, feature)) continue;
    const named = rule.target.type === 'USER' ? [rule.target.name] : rule.target.type === 'GROUP' ? (options.groups[rule.target.name] ?? []) : [];
    for (const user of named) if (!users.includes(user)) users.push(user);
  }
  return users;
}
