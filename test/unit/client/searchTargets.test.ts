import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLicenseSearch, resolveSearchTargets } from '../../../src/core/client/searchTargets';

const dir = mkdtempSync(path.join(tmpdir(), 'triad-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const triadFile = path.join(dir, 'triad.lic');
writeFileSync(triadFile, 'SERVER Apple 111dead 27000\nSERVER Orange 2222dead 27001\nSERVER Banana 3333dead 27002\nVENDOR ibmratl\n');
mkdirSync(path.join(dir, 'folder'));
writeFileSync(path.join(dir, 'folder', 'b.lic'), 'SERVER lone ANY\nVENDOR ibmratl\n');
writeFileSync(path.join(dir, 'folder', 'a.lic'), 'SERVER one ANY 1700\nVENDOR ibmratl\n');
writeFileSync(path.join(dir, 'folder', 'notes.txt'), 'SERVER ignored ANY 1\n');
writeFileSync(path.join(dir, 'uncounted.lic'), 'FEATURE f ibmratl 1.0 permanent uncounted HOSTID=ANY SIGN=0\n');

describe('resolveSearchTargets', () => {
  it('keeps a triad file as one redundant target and reads *.lic files of a folder in name order', () => {
    const { search, problems } = createLicenseSearch({ commandLine: `${triadFile}:${path.join(dir, 'folder')}`, env: {}, platform: 'unix' });
    expect(problems).toEqual([]);
    expect(search.targets.map((t) => [t.redundant, t.addresses.map((a) => `${a.port}@${a.host}`)])).toEqual([
      [true, ['27000@Apple', '27001@Orange', '27002@Banana']],
      [false, ['1700@one']],
      [false, Array.from({ length: 10 }, (_, i) => `${27000 + i}@lone`)],
    ]);
  });

  it('refuses a three-server file whose SERVER lines lack ports instead of dialling thirty "members"', () => {
    const portless = path.join(dir, 'portless-triad.lic');
    writeFileSync(portless, 'SERVER a ANY\nSERVER b ANY 27000\nSERVER c ANY\nVENDOR ibmratl\n');
    const { targets, problems } = resolveSearchTargets([{ entry: { kind: 'path', path: portless }, source: 'x' }]);
    expect(targets).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/portless-triad\.lic: three SERVER lines make a redundant triad, whose SERVER lines need a port; add one to a, c$/),
    ]);
  });

  it('reads ~/ in a license path from the home folder', () => {
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      const { targets, problems } = resolveSearchTargets([{ entry: { kind: 'path', path: '~/triad.lic' }, source: 'LM_LICENSE_FILE' }]);
      expect(problems).toEqual([]);
      expect(targets.map((t) => t.label)).toEqual([path.join(dir, 'triad.lic')]);
    } finally {
      process.env.HOME = home;
    }
  });

  it('probes the ten default ports for @host and names files that lead nowhere', () => {
    const { targets, problems } = resolveSearchTargets([
      { entry: { kind: 'server', host: 'h', port: null }, source: 'x' },
      { entry: { kind: 'path', path: path.join(dir, 'missing.lic') }, source: 'x' },
      { entry: { kind: 'path', path: path.join(dir, 'uncounted.lic') }, source: 'x' },
    ]);
    expect(targets).toHaveLength(1);
    expect(targets[0].addresses.map((a) => a.port)).toEqual([27000, 27001, 27002, 27003, 27004, 27005, 27006, 27007, 27008, 27009]);
    expect(problems).toEqual([expect.stringMatching(/missing\.lic: no such license file/), expect.stringMatching(/uncounted\.lic: has no SERVER line/)]);
  });
});
