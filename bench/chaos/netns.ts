import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A private network for drills that need real links between the members (a cut cable is silence,
 * not a closed socket): Linux network namespaces, one per member plus one for the clients and one
 * holding a bridge, joined by veth pairs. Nothing is added to the namespace this process runs in;
 * the lab's traffic never leaves its namespaces. Needs root and `ip` (iproute2).
 *
 * Layout of lab `triad-chaos-<pid>-`: namespaces `…sw` (bridge br0), `…P`, `…S`, `…T`, `…c`; in each
 * of the last four an `eth0` on 10.213.0.0/24 (members .1-.3, clients .100) whose peer end is
 * plugged into the bridge. Namespace names carry the creating process id, so a lab left behind by
 * a killed run is recognised (its owner is gone) and removed by the next run.
 */

export interface NamespaceLab {
  /** Process that created the lab; its death makes the lab stale. */
  ownerPid: number;
  switchNs: string;
  clientNs: string;
  memberNs: string[];
  memberHosts: string[];
  clientHost: string;
}

const LAB_PREFIX = 'triad-chaos-';
const SUBNET = '10.213.0';
const MEMBER_NAMES = ['P', 'S', 'T'];

export function labFor(ownerPid: number): NamespaceLab {
  const base = `${LAB_PREFIX}${ownerPid}-`;
  return {
    ownerPid,
    switchNs: `${base}sw`,
    clientNs: `${base}c`,
    memberNs: MEMBER_NAMES.map((name) => `${base}${name}`),
    memberHosts: MEMBER_NAMES.map((_, m) => `${SUBNET}.${m + 1}`),
    clientHost: `${SUBNET}.100`,
  };
}

function ip(args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`ip ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

/** Why labs cannot be made here (not root, no `ip`, no namespaces), or null when they can. */
export function namespaceSupport(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as CI does)';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error) return `\`ip\` (iproute2) is not installed: apt-get install -y iproute2 (${probe.error.message})`;
  if (probe.status !== 0) return `\`ip netns\` does not work here: ${probe.stderr.trim()}`;
  return null;
}

function labNamespaces(lab: NamespaceLab): string[] {
  return [...lab.memberNs, lab.clientNs, lab.switchNs];
}

/** Builds the lab; on any failure removes what was made and throws. */
export function createLab(ownerPid = process.pid): NamespaceLab {
  const lab = labFor(ownerPid);
  try {
    for (const ns of labNamespaces(lab)) ip(['netns', 'add', ns]);
    ip(['-n', lab.switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', lab.switchNs, 'link', 'set', 'br0', 'up']);
    const ends = [
      ...lab.memberNs.map((ns, m) => ({ ns, host: lab.memberHosts[m], port: `v${MEMBER_NAMES[m]}` })),
      { ns: lab.clientNs, host: lab.clientHost, port: 'vc' },
    ];
    for (const end of ends) {
      // both ends are created inside their namespaces: the veth never exists in ours
      ip(['link', 'add', 'eth0', 'netns', end.ns, 'type', 'veth', 'peer', 'name', end.port, 'netns', lab.switchNs]);
      ip(['-n', lab.switchNs, 'link', 'set', end.port, 'master', 'br0', 'up']);
      ip(['-n', end.ns, 'addr', 'add', `${end.host}/24`, 'dev', 'eth0']);
      ip(['-n', end.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', end.ns, 'link', 'set', 'lo', 'up']);
    }
    return lab;
  } catch (error) {
    destroyLab(lab);
    throw error;
  }
}

/**
 * Kills every process still inside the lab (all started by this drill: members, the inner
 * runner) by pid, then deletes the namespaces, which deletes the veths and the bridge.
 * Returns what could not be removed (empty when clean).
 */
export function destroyLab(lab: NamespaceLab): string[] {
  const problems: string[] = [];
  const existing = new Set(listNamespaces());
  for (const ns of labNamespaces(lab)) {
    if (!existing.has(ns)) continue;
    try {
      for (const pid of ip(['netns', 'pids', ns]).split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      ip(['netns', 'del', ns]);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes labs whose creating process is gone (a run killed with SIGKILL); returns their owners. */
export function removeStaleLabs(): number[] {
  const owners = new Set<number>();
  for (const ns of listNamespaces()) {
    const match = new RegExp(`^${LAB_PREFIX}(\\d+)-`).exec(ns);
    if (match && !alive(Number(match[1]))) owners.add(Number(match[1]));
  }
  for (const owner of owners) destroyLab(labFor(owner));
  return [...owners];
}

/** The command prefix that runs a program inside namespace `ns`. */
export function inNamespace(ns: string, command: string, args: string[]): { command: string; args: string[] } {
  return { command: 'ip', args: ['netns', 'exec', ns, command, ...args] };
}

/** The lab handed to a process started inside it (see runInsideLab). */
export const LAB_ENV = 'TRIAD_CHAOS_LAB';

export function labFromEnv(): NamespaceLab | null {
  const raw = process.env[LAB_ENV];
  return raw ? (JSON.parse(raw) as NamespaceLab) : null;
}

export interface LabRun {
  lab: NamespaceLab;
  /** Starts `node ...args` in the lab's client namespace, told where it is (labFromEnv). */
  spawnNode(args: string[], stdio: 'inherit' | 'pipe'): ChildProcess;
}

/**
 * Makes a lab (removing any left by killed runs), gives it to `use`, and removes it afterwards,
 * also when this process is interrupted: SIGINT/SIGTERM are passed on to the processes started
 * in it, which get 15 s to clean up their own files before the lab and they are removed.
 */
export async function withLab<T>(log: (line: string) => void, use: (run: LabRun) => Promise<T>): Promise<T> {
  const stale = removeStaleLabs();
  if (stale.length > 0) log(`removed network namespaces left by earlier runs (pids ${stale.join(', ')})`);
  const lab = createLab();
  const children = new Set<ChildProcess>();
  const onSignal = (signal: NodeJS.Signals) => {
    for (const child of children) child.kill(signal);
    setTimeout(() => {
      destroyLab(lab);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, children.size > 0 ? 15_000 : 0).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await use({
      lab,
      spawnNode(args, stdio) {
        const { command, args: commandArgs } = inNamespace(lab.clientNs, process.execPath, args);
        const child = spawn(command, commandArgs, { stdio: ['ignore', stdio, 'inherit'], env: { ...process.env, [LAB_ENV]: JSON.stringify(lab) } });
        children.add(child);
        child.once('exit', () => children.delete(child));
        return child;
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const problems = destroyLab(lab);
    if (problems.length > 0) log(`could not remove the lab completely: ${problems.join('; ')}`);
  }
}

/** Runs this script again, with the same arguments, inside a lab; resolves with its exit code. */
export function runInsideLab(log: (line: string) => void): Promise<number> {
  return withLab(log, (run) => {
    const child = run.spawnNode([...process.execArgv, ...process.argv.slice(1)], 'inherit');
    return new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 143)));
      child.once('error', (error) => {
        log(`cannot start inside the lab: ${error.message}`);
        resolve(2);
      });
    });
  });
}

/**
 * Link faults inside a lab, from any of its namespaces: blackhole routes cut chosen pairs of
 * members (both directions, clients still pass) and a member's eth0 taken down cuts it from
 * everyone. Both are silent: packets vanish, no reset is sent.
 */
export class NamespaceLinks {
  private readonly blackholes = new Set<string>();
  private readonly down = new Set<number>();

  constructor(private readonly lab: NamespaceLab) {}

  /** Cuts the pair a-b in both directions (each drops packets for the other). */
  cutPair(a: number, b: number): void {
    for (const [from, to] of [[a, b], [b, a]]) {
      const key = `${from}>${to}`;
      if (this.blackholes.has(key)) continue;
      ip(['-n', this.lab.memberNs[from], 'route', 'add', 'blackhole', `${this.lab.memberHosts[to]}/32`]);
      this.blackholes.add(key);
    }
  }

  /** Cuts a member from both peers; clients still reach it. */
  cutFromPeers(m: number): void {
    for (let other = 0; other < this.lab.memberNs.length; other++) if (other !== m) this.cutPair(m, other);
  }

  /** Takes the member's only link down: silence for peers and clients alike. */
  linkDown(m: number): void {
    ip(['-n', this.lab.memberNs[m], 'link', 'set', 'eth0', 'down']);
    this.down.add(m);
  }

  healAll(): void {
    for (const key of this.blackholes) {
      const [from, to] = key.split('>').map(Number);
      ip(['-n', this.lab.memberNs[from], 'route', 'del', 'blackhole', `${this.lab.memberHosts[to]}/32`]);
    }
    this.blackholes.clear();
    for (const m of this.down) {
      ip(['-n', this.lab.memberNs[m], 'link', 'set', 'eth0', 'up']);
      // taking the link down removed the subnet route; bringing it up restores it with the address
    }
    this.down.clear();
  }
}
