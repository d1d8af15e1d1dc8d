/**
 * How lmutil introduces itself: the copyright line every tool prints first, and `-v`'s version
 * line, `lmstat v11.14.0.1 build 188735 x64_lsb` (reference FX corpus, exporter-version-new.txt),
 * which monitoring exporters read before anything else.
 */

/** Our own banner; it keeps lmutil's `lmutil - ` prefix that some parsers skip on. */
export const LMUTIL_BANNER = 'lmutil - Copyright (c) 2026 Triad License Server developers. All Rights Reserved.';

/** Triad has no FlexNet build numbers; parsers only need digits here. */
const BUILD = 0;

/** FlexNet's platform names where one exists (x64_lsb, x64_n6...), else Node's own words. */
export function flexnetPlatform(platform: string, arch: string): string {
  const known: Record<string, string> = {
    'linux/x64': 'x64_lsb',
    'linux/ia32': 'i86_lsb',
    'win32/x64': 'x64_n6',
    'win32/ia32': 'i86_n3',
    'darwin/x64': 'x64_mac',
  };
  return known[`${platform}/${arch}`] ?? `${arch}_${platform}`;
}

export interface VersionIdentity {
  /** Server version as lmstat prints it (`v1.0.0`). */
  version: string;
  platform: string;
  arch: string;
}

/** `lmstat -v` / `lmutil -v`: the banner, then `TOOL vX.Y.Z build N platform`. */
export function formatLmutilVersion(tool: string, identity: VersionIdentity): string {
  return `${LMUTIL_BANNER}\n${tool} ${identity.version} build ${BUILD} ${flexnetPlatform(identity.platform, identity.arch)}\n`;
}
