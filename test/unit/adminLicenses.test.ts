import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerControl } from '../../src/core/admin/adminApi';
import { createLicenseHandlers } from '../../src/core/admin/adminLicenses';
import { TrustStore } from '../../src/core/license';
import { openStore } from '../../src/core/store';
import { triadStatus } from './lmstat/sampleStatus';
import { makeTempDir } from '../support/tempDir';

const temp = makeTempDir('admin-licenses-');
afterAll(() => temp.remove());

const license = (feature: string) => `SERVER lic1 ANY 27000\nVENDOR ibmratl\nFEATURE ${feature} ibmratl 1.0 permanent 5\n`;

describe('license files through the admin API', () => {
  it('puts the previous files back when the server refuses what the checks accepted', async () => {
    const folder = path.join(temp.dir, 'licenses');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'license.lic'), license('modeler'));
    const store = openStore(path.join(temp.dir, 'data'));
    const audited: string[] = [];
    const refusing = {
      status: () => ({ ...triadStatus(), role: 'master' }),
      reread: async () => Promise.reject(new Error('the server would not take it')),
    } as unknown as ServerControl;
    const handlers = createLicenseHandlers({
      server: refusing,
      store,
      location: folder,
      identity: { as: 'lic1' },
      now: () => 0,
      trust: () => new TrustStore(),
      audit: (_caller, action, detail) => audited.push(`${action}: ${detail}`),
      changed: () => undefined,
      fail: (code, message) => Object.assign(new Error(message), { code }),
    });
    try {
      await expect(handlers['license.import']({ fileName: 'term.lic', text: license('tester'), add: true }, { who: 'test', from: 'local' })).rejects.toThrow(
        'The server refused term.lic, so the previous license files were kept: the server would not take it',
      );
      expect(readdirSync(folder)).toEqual(['license.lic']);
      expect(readFileSync(path.join(folder, 'license.lic'), 'utf8')).toBe(license('modeler'));
      expect(audited).toEqual([expect.stringMatching(/^import refused: term\.lic as term\.lic, beside 1 other file\(s\): The server refused/)]);
    } finally {
      store.close();
    }
  });
});
