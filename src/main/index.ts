/**
 * The Electron app's entry: the shell (shell.ts) wired to the real backend on this machine.
 * `--service` runs the same backend headless (no window), for the Windows service / boot task.
 */
import { openAdminApp } from '../host/adminApp';
import { startHttpHost } from '../host/httpHost';
import { defaultDataDir } from '../core/store/dataDir';
import { findRunningService, serviceWindowUrl } from './serviceAttach';
import { startShell } from './shell';
import { installWindowsService, removeWindowsService } from './windowsService';

startShell({
  serviceMode: process.argv.includes('--service'),
  builtDir: __dirname,
  offerWindowsService: process.platform === 'win32',
  openAdminApp: () => openAdminApp({ dataDir: defaultDataDir() }),
  startHttpHost,
  findRunningService: () => findRunningService(),
  serviceWindowUrl: (serviceUrl) => serviceWindowUrl(serviceUrl),
  installWindowsService,
  removeWindowsService,
  onTerminate: (stop) => process.once('SIGTERM', stop),
  reportError: (message) => process.stderr.write(`${message}\n`),
});
