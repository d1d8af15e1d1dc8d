/** Who-matches-what rules shared by every option keyword. */
import { canonicalExpiryText } from '../license/expiry';
import { compareVersions } from './version';
import type { FeatureSelector, Options, PolicyFeature, Requester, Target } from './types';

/**
 * USER, DISPLAY, PROJECT and group names compare exactly (IBM documents the options file as
 * case-sensitive); host names compare case-insensitively because DNS does; with
 * GROUPCASEINSENSITIVE ON, so do the user names listed in a GROUP.
 */
export function matchesTarget(options: Options, target: Target, who: Requester): boolean {
  switch (target.type) {
    case 'USER':
      return who.user === target.name;
    case 'HOST':
      return sameHost(who.host, target.name);
    case 'DISPLAY':
      return who.display === target.name;
    case 'PROJECT':
      return who.project === target.name;
    case 'INTERNET':
      return matchesIpPattern(who.ip, target.name);
    case 'GROUP':
      return (options.groups[target.name] ?? []).some((user) =>
        options.groupCaseInsensitive ? user.toLowerCase() === who.user.toLowerCase() : user === who.user,
      );
    case 'HOST_GROUP':
      return (options.hostGroups[target.name] ?? []).some((host) => sameHost(host, who.host));
  }
}

function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `10.1.*.*` against an IPv4 address (an IPv4-mapped IPv6 address counts as IPv4). */
export function matchesIpPattern(ip: string, pattern: string): boolean {
  const octets = ip.replace(/^::ffff:/i, '').split('.');
  const wanted = pattern.split('.');
  if (octets.length !== 4 || wanted.length !== 4) return false;
  return wanted.every((part, i) => part === '*' || Number(part) === Number(octets[i]));
}

/** A selector names the feature and, optionally, keyword values its line must carry. */
export function selectorMatches(selector: FeatureSelector, feature: PolicyFeature): boolean {
  if (selector.name !== feature.name) return false;
  return Object.entries(selector.qualifiers).every(([key, value]) => {
    if (key === 'VERSION') return compareVersions(value, feature.version) === 0;
    if (key.toUpperCase() === 'EXPDATE') return feature.attrs.EXPDATE === canonicalExpiryText(value);
    const actual = Object.entries(feature.attrs).find(([k]) => k.toUpperCase() === key.toUpperCase());
    return actual !== undefined && actual[1] === value;
  });
}
