import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * "Run the license server as a Windows service" from the app's tray (the installer offers the
 * same): WinSW, shipped as resources\winsw\TriadService.exe with build/winsw/TriadService.xml,
 * registers the service "Triad License Server" that runs this executable with `--service`
 * (headless backend + admin UI on 127.0.0.1:8090). Registering needs elevation, so the wrapper
 * runs through an elevated PowerShell.
 */
export const SERVICE_NAME = 'Triad License Server';

function wrapper(): string {
  return join(process.resourcesPath, 'winsw', 'TriadService.exe');
}

function elevated(verbs: string[]): Promise<void> {
  // Single quotes inside PowerShell strings are doubled; the inner commands run in an elevated cmd.
  const script = verbs.map((verb) => `"${wrapper()}" ${verb}`).join(' & ').replace(/'/g, "''");
  const ps = `Start-Process -FilePath cmd.exe -ArgumentList '/c ${script}' -Verb RunAs -Wait -WindowStyle Hidden`;
  return new Promise((resolve, reject) => {
    execFile('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', ps], (error) =>
      error ? reject(new Error(`Windows refused: ${error.message}`)) : resolve(),
    );
  });
}

export function installWindowsService(): Promise<void> {
  return elevated(['install', 'start']);
}

export function removeWindowsService(): Promise<void> {
  return elevated(['stop', 'uninstall']);
}
