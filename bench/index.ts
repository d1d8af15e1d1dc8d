// `npm run bench`: runs each benchmark, prints a table and writes bench/results/latest.json.
// Figures are for comparison within one run (ratios against baselines measured alongside).
// Flags: --quick (tiny sizes: checks that every bench runs), --only <text> (benches whose name
// contains it), --out <file> (instead of bench/results/latest.json). `--role <name>` runs this
// bundle as one of the worker processes a bench starts.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchClients } from './clients';
import { benchFailover, benchSilentCutFailover, runSilentCutWorker } from './failover';
import { parseSwarmArgs, runClientSwarm } from './clientSwarm';
import { runEchoServer } from './echoServer';
import { benchLicenseParse } from './licenseParse';
import { benchThroughput } from './throughput';
import { benchTriadCompaction } from './triadCompaction';
import { benchTriadThroughput } from './triadThroughput';
import { benchTriadWanThroughput } from './triadWanThroughput';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};
const quick = argv.includes('--quick');

const benches: Record<string, () => Promise<Record<string, number>>> = {
  'license parse + verify (5,000 signed features)': () => benchLicenseParse(quick ? 50 : 5000),
  'checkout+checkin, 1,000 clients, single server vs TCP echo': () => benchThroughput(quick ? { clients: 20, durationMs: 300 } : {}),
  'checkout+checkin, 1,000 clients, triad (replicated)': () => benchTriadThroughput(quick ? { clients: 20, durationMs: 300 } : {}),
  'checkout+checkin, 1,000 clients, triad with members 5 ms apart': () => benchTriadWanThroughput(quick ? { clients: 20, durationMs: 300 } : {}),
  '50,000 connected clients heartbeating, one server': () => benchClients(quick ? { clients: 300, idleMs: 500 } : {}),
  'failover under load: 1,000 seats held, SIGKILL of the master': () => benchFailover(quick ? { clients: 20 } : {}),
  "failover under load: 1,000 seats held, the master's link silently cut (network namespaces, root)": () =>
    benchSilentCutFailover(quick ? { clients: 20 } : {}),
  'triad log compaction: disk and restart after 1,000,000 replicated checkout+checkin pairs': () =>
    benchTriadCompaction(quick ? { pairs: 20_000, clients: 50 } : {}),
};

async function runBenches(): Promise<void> {
  const only = flag('only');
  const out = flag('out') ?? path.join('bench', 'results', 'latest.json');
  const results: Record<string, Record<string, number>> = {};
  for (const [name, run] of Object.entries(benches)) {
    if (only !== undefined && !name.includes(only)) continue;
    process.stdout.write(`${name} ...\n`);
    results[name] = await run();
  }
  process.stdout.write(`\n${table(results)}\n`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ takenAt: new Date().toISOString(), quick, results }, null, 2)}\n`);
  process.stdout.write(`written to ${out}\n`);
}

function table(results: Record<string, Record<string, number>>): string {
  const rows: string[][] = [['bench', 'figure', 'value']];
  for (const [name, figures] of Object.entries(results)) {
    // the bench's name on its first row only
    Object.entries(figures).forEach(([figure, value], i) =>
      rows.push([i === 0 ? name : '', figure, Number.isInteger(value) ? String(value) : value.toFixed(2)]),
    );
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `| ${r[0].padEnd(widths[0])} | ${r[1].padEnd(widths[1])} | ${r[2].padStart(widths[2])} |`).join('\n');
}

const role = flag('role');
if (role === 'echo-server') runEchoServer();
else if (role === 'swarm') await runClientSwarm(parseSwarmArgs(argv));
else if (role === 'failover-silent') await runSilentCutWorker(Number(flag('clients') ?? 1000));
else if (role !== undefined) throw new Error(`unknown bench worker role ${role}`);
else await runBenches();
