/**
 * The FlexLM rules of phpLicenseWatcher, transcribed to TypeScript:
 *   repository phpLicenseWatcher/phpLicenseWatcher (GNU General Public License, per its README),
 *   lmtools_lib.php @ 73d56b375b44826c5ffaea713dcb72e4fa598881 (the usage regexes, verbatim in
 *   JavaScript's syntax), code/lmtools.php @ 4cd2d73bb7ed08d3839ad6ca2c69ec2863b22a9a
 *   (lm_nextline and get_license_usage_array at detail level 2) and license_util.php
 *   update_servers (index file id 27400168789; the server-status regexes).
 * Only the small regexes are copied; the loops are re-written from their documented behaviour.
 */

const USAGE_PATTERNS = {
  users_counted: /^Users of (?<feature>[\w\- ]+): {2}\(Total of (?<total_licenses>\d+) licenses? issued; {2}Total of (?<used_licenses>\d+)/i,
  users_uncounted: /^Users of (?<feature>[\w\- ]+): {2}\(Uncounted/i,
  details: /^ *(?<user>[^ ]+(?: [^ ]+)?) (?<host>[^ ]+) [^ ]+ \([^ ]+\) \([^ ]+ \d+\), start \w{3} (?<date>[0-9]{1,2}\/[0-9]{1,2}) (?<time>[0-9]{1,2}:[0-9]{2})(?:, (?<num_licenses>\d+) licenses)?/i,
  queued: /^ *(?<user>[^ ]+(?: [^ ]+)?) (?<host>[^ ]+) [^ ]+ \([^ ]+\) \([^ ]+ \d+\) queued for (?<num_queued>\d+)/i,
  reservations: / *(?<num_reservations>\d+) RESERVATIONs? for (?<reserved_for>[^ ]+ [^ ]+)/,
} as const;

/** license_util.php update_servers (index file id 27400168789): the server's status and lmgrd version. */
const SERVER_UP = /license server UP (?:\(MASTER\) )?(?<lmgrd_version>v\d+[\d.]*)$/im;
const VENDOR_DOWN = /vendor daemon is down/im;

export interface PhpFeatureUsage {
  feature_name: string;
  num_licenses: string;
  num_licenses_used: string;
  num_checkouts: string;
  num_queued: string;
  num_reservations: string;
  checkouts: { user: string; host: string; date: string; time: string; num_licenses: string }[];
  queued: { user: string; host: string; num_queued: string }[];
  reservations: { num_reserved: string; reserved_for: string }[];
}

/** fgets() lines while !feof(): a last line without its newline is never read. */
function phpLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => `${line}\n`);
}

type UsagePattern = keyof typeof USAGE_PATTERNS;

/** lm_nextline: the next line matching one of the patterns, in the order given; groups trimmed. */
function* matchingLines(text: string, patterns: readonly UsagePattern[]): Generator<{ pattern: UsagePattern; groups: Record<string, string> }> {
  for (const line of phpLines(text)) {
    for (const pattern of patterns) {
      const m = USAGE_PATTERNS[pattern].exec(line);
      if (!m) continue;
      const groups = Object.fromEntries(Object.entries(m.groups ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v.trim()]));
      yield { pattern, groups };
      break;
    }
  }
}

/** lmtools::get_license_usage_array('flexlm', server, 2) over `lmstat -a -c` output. */
export function phpLicenseUsage(text: string): PhpFeatureUsage[] {
  const used: PhpFeatureUsage[] = [];
  const fresh = (feature: string, total: string, inUse: string): PhpFeatureUsage => ({
    feature_name: feature,
    num_licenses: total,
    num_licenses_used: inUse,
    num_checkouts: '0',
    num_queued: '0',
    num_reservations: '0',
    checkouts: [],
    queued: [],
    reservations: [],
  });
  for (const { pattern, groups } of matchingLines(text, ['users_counted', 'users_uncounted', 'details', 'queued', 'reservations'])) {
    const current = used.at(-1);
    switch (pattern) {
      case 'users_counted':
        used.push(fresh(groups.feature, groups.total_licenses, groups.used_licenses));
        break;
      case 'users_uncounted':
        used.push(fresh(groups.feature, 'uncounted', 'uncounted'));
        break;
      case 'details': {
        if (!current) break; // PHP writes to index -1, which no caller reads
        const n = groups.num_licenses ?? '1';
        current.num_checkouts = String(Number(current.num_checkouts) + Number(n));
        current.checkouts.push({ user: groups.user, host: groups.host, date: groups.date, time: groups.time, num_licenses: n });
        break;
      }
      case 'queued':
        if (!current) break;
        current.num_queued = String(Number(current.num_queued) + Number(groups.num_queued));
        current.queued.push({ user: groups.user, host: groups.host, num_queued: groups.num_queued });
        break;
      case 'reservations':
        if (!current) break;
        current.num_reservations = String(Number(current.num_reservations) + Number(groups.num_reservations));
        current.reservations.push({ num_reserved: groups.num_reservations, reserved_for: groups.reserved_for });
        break;
    }
  }
  return used;
}

/** license_util.php update_servers over `lmstat -c` output: DOWN unless UP; a vendor daemon down overrides UP. */
export function phpServerStatus(text: string): { status: 'UP' | 'VENDOR DOWN' | 'DOWN'; lmgrdVersion: string } {
  let status: 'UP' | 'VENDOR DOWN' | 'DOWN' = 'DOWN';
  let lmgrdVersion = '';
  const up = SERVER_UP.exec(text);
  if (up) {
    status = 'UP';
    lmgrdVersion = up.groups!.lmgrd_version;
  }
  if (VENDOR_DOWN.test(text)) status = 'VENDOR DOWN';
  return { status, lmgrdVersion };
}
