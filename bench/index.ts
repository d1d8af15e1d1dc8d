// `npm run bench`: runs each benchmark, prints a table and writes bench/results/latest.json.
// Figures are for comparison within one run (ratios against baselines measured alongside).
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchLicenseParse } from './licenseParse';
import { benchThroughput } from './throughput';

const benches: Record<string, () => Promise<Record<string, number>>> = {
  'license parse + verify (5,000 signed features)': () => benchLicenseParse(5000),
  'checkout+checkin, 1,000 clients, single server vs TCP echo': () => benchThroughput(),
};

const results: Record<string, Record<string, number>> = {};
for (const [name, run] of Object.entries(benches)) {
  process.stdout.write(`${name} ...\n`);
  results[name] = await run();
  for (const [figure, value] of Object.entries(results[name])) {
    process.stdout.write(`  ${figure.padEnd(28)} ${Number.isInteger(value) ? value : value.toFixed(3)}\n`);
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify({ takenAt: new Date().toISOString(), results }, null, 2)}\n`);
process.stdout.write('written to bench/results/latest.json\n');
