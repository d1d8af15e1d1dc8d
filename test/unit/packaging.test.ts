import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Windows packaging cannot run here (no Windows, no network for Electron), so these checks
 * keep its pieces consistent: the service wrapper shipped by electron-builder, its WinSW
 * configuration, and the installer and app that call it.
 */

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const builder = read('electron-builder.yml');
const serviceXml = read('build/winsw/TriadService.xml');

describe('Windows service packaging', () => {
  it('ships every extra resource from a file that exists', () => {
    const sources = [...builder.matchAll(/^\s*- from: (\S+)$/gm)].map((m) => m[1]);
    expect(sources).toEqual([
      'node_modules/node-windows/bin/winsw/winsw.exe',
      'node_modules/node-windows/bin/winsw/winsw.exe.config',
      'build/winsw/TriadService.xml',
    ]);
    for (const source of sources) expect(existsSync(path.join(root, source)), source).toBe(true);
    // WinSW reads <name>.xml beside <name>.exe
    const targets = [...builder.matchAll(/^\s*to: (\S+)$/gm)].map((m) => m[1]);
    expect(targets).toEqual(['winsw/TriadService.exe', 'winsw/TriadService.exe.config', 'winsw/TriadService.xml']);
  });

  it("runs the app's own executable headless as an automatic service", () => {
    const productName = /^productName: (.+)$/m.exec(builder)![1];
    const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(serviceXml)?.[1];
    expect(element('executable')).toBe(`%BASE%\\..\\..\\${productName}.exe`);
    expect(element('arguments')).toBe('--service');
    expect(element('id')).toBe('TriadLicenseServer');
    expect(element('startmode')).toBe('Automatic');
    expect(serviceXml).toMatch(/<onfailure action="restart"/);
    // XML forbids "--" inside comments: WinSW would refuse the whole file
    for (const comment of serviceXml.match(/<!--([\s\S]*?)-->/g) ?? []) expect(comment.slice(4, -3)).not.toContain('--');
  });

  it('the installer and the app drive the same wrapper', () => {
    const installer = read('build/installer.nsh');
    for (const verb of ['install', 'start', 'stop', 'uninstall']) {
      expect(installer).toContain(`"$INSTDIR\\resources\\winsw\\TriadService.exe" ${verb}`);
    }
    const app = read('src/main/windowsService.ts');
    expect(app).toContain("join(process.resourcesPath, 'winsw', 'TriadService.exe')");
    expect(app).toMatch(/elevated\(\['install', 'start'\]\)/);
    expect(app).toMatch(/elevated\(\['stop', 'uninstall'\]\)/);
  });
});
