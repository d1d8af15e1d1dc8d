// `npm run soak` (after `node scripts/build-node.mjs`): issue 21's acceptance soak. One
// `triad serve` with log retention set to 100 MB (debug log 50 MB + report log 50 MB) serves
// 2,000,000 checkout+checkin pairs; the soak samples the database size, the server's memory and
// its event-loop stalls as it goes, then reads every archive back. Exits 1 when the database ends
// at 150 MB or more, a request failed, or an archive does not read back.
// SOAK_PAIRS (default 2,000,000), SOAK_CLIENTS (50), SOAK_LOG_MB (50 per log; 0: no size limit, a
// baseline without retention), SOAK_KEEP=1 keeps the data folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { debugLogLinePattern } from '../src/shared/debugLogText';
import { REPORT_CSV_HEADER } from '../src/core/retention/archiveFormat';
import { benchLicense, rssBytes, startServer } from './benchProcesses';
import { connectAll, round, runPairs } from './loadClient';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const PAIRS = env('SOAK_PAIRS', 2_000_000);
const CLIENTS = env('SOAK_CLIENTS', 50);
const LOG_MB = env('SOAK_LOG_MB', 50);
const CHUNK_MS = 10_000;
const MB = 1024 * 1024;

interface Sample {
  atS: number;
  pairs: number;
  pairsPerSecond: number;
  databaseMb: number;
  /** Of which the write-ahead log. */
  walMb: number;
  rssMb: number;
  loopLagMaxMs: number;
  debugLogMb: number;
  reportLogMb: number;
  rotatedRows: number;
  longestRotationStepMs: number;
}

const fileBytes = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** The database as it takes disk space: the file plus its write-ahead log and shared memory. */
function databaseBytes(dataDir: string): number {
  return ['triad.db', 'triad.db-wal', 'triad.db-shm'].reduce((sum, name) => sum + fileBytes(path.join(dataDir, name)), 0);
}

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match) values.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return values;
}

/** Reads every archive back: debug lines in the FlexLM format, CSV rows under the header. */
function readArchives(folder: string): { files: number; bytes: number; debugLines: number; reportRows: number; problems: string[] } {
  const result = { files: 0, bytes: 0, debugLines: 0, reportRows: 0, problems: [] as string[] };
  // no folder: nothing was ever rotated (e.g. SOAK_LOG_MB=0, the baseline without retention)
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    const file = path.join(folder, name);
    result.files += 1;
    result.bytes += statSync(file).size;
    let text: string;
    try {
      text = gunzipSync(readFileSync(file)).toString('utf8');
    } catch (error) {
      result.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (name.startsWith('debug-log_')) {
      const lines = text.trimEnd().split('\n');
      const bad = lines.find((line) => !debugLogLinePattern.test(line));
      if (bad !== undefined) result.problems.push(`${name}: not a FlexLM debug-log line: ${bad}`);
      result.debugLines += lines.filter((line) => !line.includes(') TIMESTAMP ')).length;
    } else if (name.startsWith('report-log_')) {
      if (!text.startsWith(REPORT_CSV_HEADER)) result.problems.push(`${name}: no CSV header`);
      result.reportRows += text.split('\r\n').filter(Boolean).length - 1;
    } else {
      result.problems.push(`${name}: not an archive`);
    }
  }
  return result;
}

async function soak(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-soak-'));
  const dataDir = path.join(dir, 'data');
  const metricsPort = 20_000 + Math.floor(Math.random() * 20_000);
  const license = benchLicense(dir, CLIENTS, ['127.0.0.1']);
  const { server, port } = await startServer(license, {
    dataDir,
    maxConnections: CLIENTS + 10,
    extraArgs: ['--debug-log-mb', String(LOG_MB), '--report-log-mb', String(LOG_MB), '--metrics', `127.0.0.1:${metricsPort}`],
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const samples: Sample[] = [];
  let failures = 0;
  let pairs = 0;
  let loadMs = 0;
  const started = performance.now();
  try {
    const clients = await connectAll(port, CLIENTS);
    await scrape(metricsUrl); // starts the server's event-loop lag window
    process.stdout.write(`soak: ${PAIRS} pairs, ${CLIENTS} clients, retention ${LOG_MB} MB per log, data in ${dataDir}\n`);
    while (pairs < PAIRS) {
      const chunk = await runPairs(clients, CHUNK_MS);
      pairs += chunk.latencies.length;
      failures += chunk.failures;
      loadMs += chunk.elapsedMs;
      const m = await scrape(metricsUrl);
      const sample: Sample = {
        atS: round((performance.now() - started) / 1000, 1),
        pairs,
        pairsPerSecond: Math.round((chunk.latencies.length / chunk.elapsedMs) * 1000),
        databaseMb: round(databaseBytes(dataDir) / MB, 1),
        walMb: round(fileBytes(path.join(dataDir, 'triad.db-wal')) / MB, 1),
        rssMb: round(rssBytes(server.child.pid!) / MB, 1),
        loopLagMaxMs: round((m.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000, 1),
        debugLogMb: round((m.get('triad_log_size_bytes{log="debug"}') ?? 0) / MB, 1),
        reportLogMb: round((m.get('triad_log_size_bytes{log="report"}') ?? 0) / MB, 1),
        rotatedRows: (m.get('triad_log_rotated_rows_total{log="debug"}') ?? 0) + (m.get('triad_log_rotated_rows_total{log="report"}') ?? 0),
        longestRotationStepMs: round((m.get('triad_log_rotation_longest_step_seconds') ?? 0) * 1000, 2),
      };
      samples.push(sample);
      process.stdout.write(`${JSON.stringify(sample)}\n`);
      if (clients.some((c) => c.closed)) throw new Error('a client connection closed: the server stopped answering');
    }
    for (const c of clients) c.close();
    // one more check interval, so the last rows over the limit are rotated too
    await new Promise((resolve) => setTimeout(resolve, 12_000));
  } finally {
    await server.stop();
  }
  const archives = readArchives(path.join(dataDir, 'archive'));
  const half = samples.slice(Math.floor(samples.length / 2));
  const firstHalf = samples.slice(0, Math.floor(samples.length / 2));
  const figures = {
    pairs,
    failures,
    seconds: round((performance.now() - started) / 1000, 0),
    pairsPerSecond: Math.round(pairs / (loadMs / 1000)),
    databaseFinalMb: round(databaseBytes(dataDir) / MB, 1),
    databasePeakMb: Math.max(...samples.map((s) => s.databaseMb)),
    rssFirstHalfMaxMb: firstHalf.length > 0 ? Math.max(...firstHalf.map((s) => s.rssMb)) : Number.NaN,
    rssSecondHalfMaxMb: Math.max(...half.map((s) => s.rssMb)),
    rssFinalMb: samples.at(-1)!.rssMb,
    eventLoopLagMaxMs: Math.max(...samples.map((s) => s.loopLagMaxMs)),
    longestRotationStepMs: Math.max(...samples.map((s) => s.longestRotationStepMs)),
    archiveFiles: archives.files,
    archiveMb: round(archives.bytes / MB, 1),
    archivedDebugLines: archives.debugLines,
    archivedReportRows: archives.reportRows,
    archiveProblems: archives.problems.length,
  };
  process.stdout.write(
    `\n${Object.entries(figures)
      .map(([k, v]) => `| ${k.padEnd(24)} | ${String(v).padStart(12)} |`)
      .join('\n')}\n`,
  );
  for (const problem of archives.problems.slice(0, 10)) process.stdout.write(`archive problem: ${problem}\n`);
  const out = path.join('bench', 'results', 'soak.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ takenAt: new Date().toISOString(), pairsWanted: PAIRS, clients: CLIENTS, logMb: LOG_MB, figures, samples }, null, 2)}\n`,
  );
  process.stdout.write(`written to ${out}\n`);
  if (process.env.SOAK_KEEP) process.stdout.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  const failed = [
    figures.databaseFinalMb >= 150 && `the database ended at ${figures.databaseFinalMb} MB (limit 150)`,
    failures > 0 && `${failures} requests failed`,
    archives.problems.length > 0 && `${archives.problems.length} archives did not read back`,
    archives.files === 0 && 'no archive was written',
  ].filter(Boolean);
  if (failed.length > 0) {
    process.stdout.write(`SOAK FAILED: ${failed.join('; ')}\n`);
    process.exitCode = 1;
  }
}

await soak();
