import { execFile } from 'node:child_process';

/**
 * "Run the license server as a Windows service" from the app (the installer offers the same):
 * a boot-time Task Scheduler task, run as LocalSystem, that starts this executable with
 * `--service` (headless backend + admin UI on 127.0.0.1:8090). The same task name as
 * build/installer.nsh. Creating it needs elevation, so it runs through an elevated PowerShell.
 */
export const SERVICE_TASK = 'Triad License Server';

function elevated(commands: string[]): Promise<void> {
  // Single quotes inside PowerShell strings are doubled; the inner command runs in an elevated cmd.
  const script = commands.join(' & ').replace(/'/g, "''");
  const ps = `Start-Process -FilePath cmd.exe -ArgumentList '/c ${script}' -Verb RunAs -Wait -WindowStyle Hidden`;
  return new Promise((resolve, reject) => {
    execFile('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', ps], (error) => (error ? reject(new Error(`Windows refused: ${error.message}`)) : resolve()));
  });
}

export function installWindowsService(executable: string): Promise<void> {
  return elevated([
    `schtasks /Create /F /TN "${SERVICE_TASK}" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "\\"${executable}\\" --service"`,
    `schtasks /Run /TN "${SERVICE_TASK}"`,
  ]);
}

export function removeWindowsService(): Promise<void> {
  return elevated([`schtasks /End /TN "${SERVICE_TASK}"`, `schtasks /Delete /F /TN "${SERVICE_TASK}"`]);
}
