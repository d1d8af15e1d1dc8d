import os from 'node:os';

/**
 * Host ids (reference 1.7). This machine's id is the 12 lowercase hex digits of the first
 * non-loopback interface's MAC, as FlexLM's lmhostid prints it. Interfaces are passed in so
 * tests (and several simulated servers on one machine) choose their own identity.
 */
type Interfaces = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

const NO_MAC = '000000000000';

function macHex(mac: string): string {
  return mac.replace(/[:-]/g, '').toLowerCase();
}

function externalAddresses(interfaces: Interfaces): os.NetworkInterfaceInfo[] {
  return Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal);
}

export function detectHostId(interfaces: Interfaces = os.networkInterfaces()): string | null {
  const first = externalAddresses(interfaces).find((a) => macHex(a.mac) !== NO_MAC && /^[0-9a-f]{12}$/.test(macHex(a.mac)));
  return first ? macHex(first.mac) : null;
}

/** Every id this machine answers to: its MACs, `INTERNET=` addresses and `HOSTNAME=`. */
export function localHostIds(interfaces: Interfaces = os.networkInterfaces(), hostname: string = os.hostname()): string[] {
  const ids = new Set<string>();
  for (const a of externalAddresses(interfaces)) {
    const mac = macHex(a.mac);
    if (mac !== NO_MAC && /^[0-9a-f]{12}$/.test(mac)) ids.add(mac);
    if (a.family === 'IPv4') ids.add(`INTERNET=${a.address}`);
  }
  ids.add(`HOSTNAME=${hostname}`);
  return [...ids];
}

/** Splits `"id1 id2"` lists (quotes optional) into single ids. */
export function splitHostIdList(licensed: string): string[] {
  return licensed.replaceAll('"', '').split(/\s+/).filter(Boolean);
}

/** Plain ids as a canonical hex number: `#1234` is decimal, otherwise 1-12 hex digits. */
function numericId(id: string): string | null {
  if (/^#\d+$/.test(id)) return BigInt(id.slice(1)).toString(16);
  if (/^[0-9a-fA-F]{1,12}$/.test(id)) return BigInt(`0x${id}`).toString(16);
  return null;
}

function typed(id: string): { type: string; value: string } | null {
  const eq = id.indexOf('=');
  return eq > 0 ? { type: id.slice(0, eq).toUpperCase(), value: id.slice(eq + 1) } : null;
}

function internetMatches(pattern: string, address: string): boolean {
  const want = pattern.split('.');
  const have = address.split('.');
  return want.length === 4 && have.length === 4 && want.every((part, i) => part === '*' || part === have[i]);
}

function singleMatches(id: string, localIds: readonly string[]): boolean {
  const upper = id.toUpperCase();
  // ANY and ID=n (the customer's id) run anywhere; DEMO is for uncounted demo lines.
  if (upper === 'ANY' || upper === 'DEMO') return true;
  const t = typed(id);
  if (t?.type === 'ID') return true;
  if (t) {
    return localIds.some((local) => {
      const l = typed(local);
      if (!l || l.type !== t.type) return false;
      if (t.type === 'INTERNET') return internetMatches(t.value, l.value);
      return l.value.toLowerCase() === t.value.toLowerCase();
    });
  }
  const wanted = numericId(id);
  return wanted !== null && localIds.some((local) => numericId(local) === wanted);
}

/**
 * Whether a licensed host id (one id or a quoted list of them) names this machine. Hex ids
 * compare as numbers, so `0111dead` = `111DEAD`.
 */
export function hostIdMatches(licensedId: string, localIds: readonly string[]): boolean {
  return splitHostIdList(licensedId).some((id) => singleMatches(id, localIds));
}

/**
 * Why a host id written in a file cannot be right, or null. `where` says whether it sits on a
 * SERVER line (where DEMO is not allowed) or in a feature's HOSTID=.
 */
export function hostIdProblem(licensed: string, where: 'server' | 'feature'): { message: string; hint: string } | null {
  for (const id of splitHostIdList(licensed)) {
    const upper = id.toUpperCase();
    if (upper === 'DEMO' && where === 'server') {
      return { message: 'host id DEMO is only for uncounted FEATURE lines', hint: 'use the server\'s lmhostid output, or ANY' };
    }
    if (upper === 'ANY' || upper === 'DEMO' || numericId(id) !== null) continue;
    const t = typed(id);
    if (t && t.value !== '') {
      if (t.type === 'INTERNET' && !/^(\d{1,3}|\*)(\.(\d{1,3}|\*)){3}$/.test(t.value)) {
        return { message: `"${id}" is not an IPv4 address pattern`, hint: 'write INTERNET=a.b.c.d, with * for any part, e.g. INTERNET=10.0.*.*' };
      }
      if (t.type === 'ID' && !/^[\d-]+$/.test(t.value)) {
        return { message: `"${id}" is not a customer id`, hint: 'write ID= followed by digits (dashes are ignored), e.g. ID=1234-5678' };
      }
      // HOSTNAME=, USER=, DISPLAY=, COMPOSITE=, FLEXID= and vendor-defined KEY=value forms.
      if (/^[A-Z_][A-Z0-9_]*$/.test(t.type)) continue;
    }
    return {
      message: `"${id}" is not a host id`,
      hint: 'write 1 to 12 hex digits as `triad lmhostid -n` prints them, ANY, ID=n or INTERNET=a.b.c.d',
    };
  }
  return null;
}
