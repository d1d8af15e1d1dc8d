import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md section 2: a module imports only modules of a LOWER layer (or its own folder).
 * Rooms on one rank are siblings and never import each other (server/licensing and server/triad
 * share only the seams at server/'s root). A folder that is not in this table fails the test, so
 * a new folder has to be given its place.
 */
const layers: { rank: number; folders: string[] }[] = [
  { rank: 0, folders: ['src/shared'] },
  { rank: 1, folders: ['src/core/license', 'src/core/instant.ts'] },
  { rank: 2, folders: ['src/core/options', 'src/core/protocol'] },
  // pure cores: time and randomness passed in
  { rank: 3, folders: ['src/core/pool', 'src/core/quorum', 'src/core/lmstat'] },
  { rank: 4, folders: ['src/core/store'] },
  { rank: 5, folders: ['src/core/transport', 'src/core/retention'] },
  { rank: 6, folders: ['src/core/licenseFiles'] },
  // the seams both rooms share
  { rank: 7, folders: ['src/core/server'] },
  { rank: 8, folders: ['src/core/server/logs'] },
  { rank: 9, folders: ['src/core/server/licensing', 'src/core/server/triad'] },
  { rank: 10, folders: ['src/core/client', 'src/core/metrics'] },
  { rank: 11, folders: ['src/core/diag'] },
  // the one composition root; the only way into server/ from above
  { rank: 12, folders: ['src/core/backend.ts'] },
  { rank: 13, folders: ['src/core/admin'] },
  { rank: 14, folders: ['src/host'] },
  { rank: 15, folders: ['src/cli', 'src/main'] },
  // the renderer and the preload bridge see only the contract
  { rank: 1, folders: ['src/renderer', 'src/preload'] },
];

interface Room {
  folder: string;
  rank: number;
}

const rooms: Room[] = layers.flatMap(({ rank, folders }) => folders.map((folder) => ({ folder, rank })));

/** The most specific room holding `file` (src/core/server/triad/x.ts is in server/triad, not server). */
function roomOf(file: string): Room | null {
  const holding = rooms.filter((room) => file === room.folder || file.startsWith(`${room.folder}/`));
  return holding.sort((a, b) => b.folder.length - a.folder.length)[0] ?? null;
}

/** server/ is reached from outside only through the composition root. */
const SERVER = 'src/core/server/';
const SERVER_GATE = 'src/core/backend.ts';

/**
 * `from` may import `to` when `to` is in its own room or in a room of a lower rank, and, for
 * anything under server/, when `from` is under server/ too or is the composition root.
 */
function layerViolation(from: string, to: string): string | null {
  const source = roomOf(from);
  const target = roomOf(to);
  if (!source) return `${from} is in no layer: give its folder a rank in test/unit/layering.test.ts`;
  if (!target) return `${to} (imported by ${from}) is in no layer`;
  if (to.startsWith(SERVER) && !from.startsWith(SERVER) && from !== SERVER_GATE) return `${from} reaches past ${SERVER_GATE} into ${to}`;
  if (source.folder === target.folder || target.rank < source.rank) return null;
  return `${from} (${source.folder}, rank ${source.rank}) imports ${to} (${target.folder}, rank ${target.rank})`;
}

const root = join(__dirname, '../..');
const relativeImport = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(file: string, specifier: string): string | null {
  const base = normalize(join(dirname(file), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function toRepoPath(path: string): string {
  return relative(root, path).split('\\').join('/');
}

describe('layering', () => {
  it('catches an import of a higher layer and of a sibling room', () => {
    expect(layerViolation('src/core/pool/poolSet.ts', 'src/core/store/leases.ts')).toMatch(/rank 3\) imports .*rank 4/);
    expect(layerViolation('src/core/server/seams.ts', 'src/core/server/triad/triadDriver.ts')).not.toBeNull();
    expect(layerViolation('src/core/server/triad/triadDriver.ts', 'src/core/server/licensing/listener.ts')).not.toBeNull();
    expect(layerViolation('src/cli/commands/serve.ts', 'src/core/server/triad/createTriad.ts')).not.toBeNull();
    expect(layerViolation('src/renderer/src/App.tsx', 'src/core/backend.ts')).not.toBeNull();
    expect(layerViolation('src/core/newFolder/x.ts', 'src/shared/status.ts')).toMatch(/in no layer/);
    expect(layerViolation('src/core/admin/adminApi.ts', 'src/core/server/logs/logRetention.ts')).toMatch(/reaches past/);
    expect(layerViolation('src/core/backend.ts', 'src/core/server/triad/createTriad.ts')).toBeNull();
    expect(layerViolation('src/core/server/triad/triadDriver.ts', 'src/core/server/seams.ts')).toBeNull();
    expect(layerViolation('src/core/server/triad/triadDriver.ts', 'src/core/server/triad/peerAuth.ts')).toBeNull();
  });

  it('no module under src/ imports one on a higher layer or in a sibling room', () => {
    const files = sourceFiles(join(root, 'src'));
    let imports = 0;
    const violations: string[] = [];
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(relativeImport)) {
        const target = resolveImport(file, match[1]);
        if (!target) continue;
        imports++;
        const violation = layerViolation(toRepoPath(file), toRepoPath(target));
        if (violation) violations.push(violation);
      }
    }
    expect(imports).toBeGreaterThan(500);
    expect(violations).toEqual([]);
  });
});
