import { existsSync } from 'node:fs';
import path from 'node:path';
import { runClockStepDrill } from './chaos/clockStepDrill';
import { installInterruptHandlers } from './chaos/interrupts';
import { CLOCK_KINDS, FAULT_KINDS, type FaultKind } from './chaos/nemesis';
import { labFromEnv, namespaceSupport, runInsideLab } from './chaos/netns';
import { runChaos } from './chaos/run';
import { faketimeSupport } from './chaos/wallClock';

/**
 * `npm run chaos` (node dist/chaos.mjs): one chaos drill against three real servers.
 *
 *   npm run chaos                          the seeded nemesis (all fault kinds) for CHAOS_SECONDS
 *   npm run chaos -- --drill clock-step    issue 14 finding 1 in network namespaces (root)
 *
 * CHAOS_SEED=n replays a fault schedule, CHAOS_SECONDS sets the nemesis time (default 180),
 * CHAOS_CLIENTS the number of clients, CHAOS_KINDS=kill,wipe,... the fault kinds, CHAOS_KEEP=1
 * keeps logs and databases. Wall-clock steps need libfaketime (apt-get install -y faketime).
 * Exits 1 on any violation, 2 when the drill cannot run here, 130/143 when interrupted.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name}=${raw} is not a whole number; for example ${name}=${fallback}`);
  return value;
}

function kindsFromEnv(): readonly FaultKind[] {
  const raw = process.env.CHAOS_KINDS;
  if (raw === undefined || raw.trim() === '') return FAULT_KINDS;
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
  if (unknown.length > 0 || kinds.length === 0) fail(`CHAOS_KINDS: ${unknown.join(', ') || '(empty)'} not known; choose from ${FAULT_KINDS.join(',')}`);
  return kinds as FaultKind[];
}

function bundle(name: string): string {
  const file = path.join(import.meta.dirname, name);
  if (!existsSync(file)) fail(`${file} is missing; build it first with: node scripts/build-node.mjs`);
  return file;
}

const argv = process.argv.slice(2);
const drillAt = argv.indexOf('--drill');
const drill = drillAt >= 0 ? argv[drillAt + 1] : undefined;
const seed = numberFromEnv('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const keepWorkDir = process.env.CHAOS_KEEP === '1';

if (drill === 'clock-step') {
  const lab = labFromEnv();
  if (lab === null) {
    // this process sets the lab up and tears it down; a copy of it runs the drill inside
    const cannot = namespaceSupport() ?? faketimeSupport();
    if (cannot) fail(`The clock-step drill cannot run here: ${cannot}.`);
    process.exit(await runInsideLab(log));
  }
  installInterruptHandlers(log);
  log(`Clock-step drill, seed ${seed} (replay: CHAOS_SEED=${seed} npm run chaos -- --drill clock-step)`);
  const report = await runClockStepDrill({ seed, cliPath: bundle('cli.mjs'), lab, keepWorkDir, log });
  log(`\n${report.summary}`);
  process.exit(report.violations.length === 0 ? 0 : 1);
} else if (drill !== undefined) {
  fail(`--drill ${drill}: no such drill; the drills are: clock-step (or no --drill for the nemesis)`);
}

const kinds = kindsFromEnv();
const noFaketime = faketimeSupport();
if (noFaketime && kinds.some((k) => CLOCK_KINDS.includes(k))) {
  fail(
    `The nemesis steps member clocks, but ${noFaketime}. Or leave the clock kinds out: ` +
      `CHAOS_KINDS=${FAULT_KINDS.filter((k) => !CLOCK_KINDS.includes(k)).join(',')}`,
  );
}
const seconds = numberFromEnv('CHAOS_SECONDS', 180);
installInterruptHandlers(log);
log(`Chaos drill, seed ${seed} (replay: CHAOS_SEED=${seed} CHAOS_SECONDS=${seconds} npm run chaos)`);
const report = await runChaos({
  seed,
  durationMs: seconds * 1000,
  hostPath: bundle('host.mjs'),
  kinds,
  clients: numberFromEnv('CHAOS_CLIENTS', 10),
  keepWorkDir,
  log,
});
log(`\n${report.summary}`);
process.exit(report.violations.length === 0 ? 0 : 1);
