import { existsSync } from 'node:fs';
import path from 'node:path';
import { runChaos } from './chaos/run';

/**
 * `npm run chaos` (node dist/chaos.mjs): one chaos drill against three real servers.
 * CHAOS_SEED=n replays a fault schedule, CHAOS_SECONDS sets the nemesis time (default 180),
 * CHAOS_CLIENTS the number of clients, CHAOS_KEEP=1 keeps logs and databases.
 * Exits 1 on any violation.
 */

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`${name}=${raw} is not a whole number; for example ${name}=${fallback}\n`);
    process.exit(2);
  }
  return value;
}

const cliPath = path.join(import.meta.dirname, 'cli.mjs');
if (!existsSync(cliPath)) {
  process.stderr.write(`${cliPath} is missing; build it first with: node scripts/build-node.mjs\n`);
  process.exit(2);
}
const seed = numberFromEnv('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const seconds = numberFromEnv('CHAOS_SECONDS', 180);
process.stdout.write(`Chaos drill, seed ${seed} (replay: CHAOS_SEED=${seed} CHAOS_SECONDS=${seconds} npm run chaos)\n`);
const report = await runChaos({
  seed,
  durationMs: seconds * 1000,
  cliPath,
  clients: numberFromEnv('CHAOS_CLIENTS', 10),
  keepWorkDir: process.env.CHAOS_KEEP === '1',
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n${report.summary}\n`);
process.exit(report.violations.length === 0 ? 0 : 1);
