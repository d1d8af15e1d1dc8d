/**
 * The Electron shell: one instance per machine, a window with the admin UI, a tray icon that keeps
 * the license server running when the window closes, and Quit that stops it cleanly.
 * `--service` runs the same backend headless (no window), for the Windows service / boot task;
 * when such a service already answers, the app attaches to it as its admin UI instead of
 * starting a second server.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { join } from 'node:path';
import type { AdminApp } from '../host/adminApp';
import { openAdminApp } from '../host/adminApp';
import { startHttpHost, type HttpHost } from '../host/httpHost';
import { defaultDataDir } from '../core/server/dataDir';
import { eventNames } from '../shared/contract';
import { findRunningService, SERVICE_LISTEN, serviceWindowUrl } from './serviceAttach';
import { createTray } from './tray';
import { installWindowsService, removeWindowsService } from './windowsService';

const serviceMode = process.argv.includes('--service');
let adminApp: AdminApp | null = null;
let serviceHost: HttpHost | null = null;
let window: BrowserWindow | null = null;
let quitting = false;

function createWindow(serviceUrl: string | null): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 820,
    title: 'Triad License Server',
    show: false,
    // Attached to a service: the page talks HTTP to it, so it gets no IPC bridge.
    webPreferences: serviceUrl ? { contextIsolation: true, sandbox: true } : { preload: join(__dirname, '../preload/index.mjs'), contextIsolation: true, sandbox: false },
  });
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    // Closing the window keeps the server running in the tray; Quit really quits.
    if (!quitting) {
      event.preventDefault();
      win.hide();
    }
  });
  if (serviceUrl) void win.loadURL(serviceWindowUrl(serviceUrl));
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

function wireIpc(appApi: AdminApp['api']): void {
  ipcMain.handle('triad:invoke', (_event, method: string, args: unknown) => appApi.invoke(method as never, args as never));
  for (const name of eventNames) {
    appApi.on(name, (payload) => {
      for (const win of BrowserWindow.getAllWindows()) win.webContents.send(`triad:event:${name}`, payload);
    });
  }
}

async function shutdown(): Promise<void> {
  quitting = true;
  await serviceHost?.close();
  await adminApp?.close();
  adminApp = null;
  app.exit(0);
}

async function startDesktop(): Promise<void> {
  Menu.setApplicationMenu(null);
  const serviceUrl = await findRunningService();
  if (!serviceUrl) {
    adminApp = await openAdminApp({ dataDir: defaultDataDir() });
    wireIpc(adminApp.api);
  }
  window = createWindow(serviceUrl);
  createTray({
    show: () => {
      window?.show();
      window?.focus();
    },
    quit: () => void shutdown(),
    attachedToService: serviceUrl !== null,
    setService: process.platform === 'win32' ? (on) => void switchService(on) : undefined,
  });
}

/** Hands the license server over to the service (or back), then restarts to attach (or serve). */
async function switchService(on: boolean): Promise<void> {
  try {
    if (on) {
      // Free the license port first: the service's server takes it over.
      await adminApp?.close();
      adminApp = null;
      await installWindowsService();
    } else {
      await removeWindowsService();
    }
  } catch (error) {
    dialog.showErrorBox('Triad License Server', `The service could not be ${on ? 'installed' : 'removed'}: ${error instanceof Error ? error.message : String(error)}`);
  }
  quitting = true;
  app.relaunch();
  app.exit(0);
}

async function startService(): Promise<void> {
  adminApp = await openAdminApp({ dataDir: defaultDataDir() });
  serviceHost = await startHttpHost({
    api: adminApp.api,
    metrics: adminApp.metrics,
    adminToken: adminApp.adminToken,
    adminTokenFile: adminApp.adminTokenFile,
    rendererDir: join(__dirname, '../renderer'),
    ...SERVICE_LISTEN,
  });
  process.once('SIGTERM', () => void shutdown());
}

if (!serviceMode && !app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    window?.show();
    window?.focus();
  });
  // The tray keeps the app alive with no window; only Quit ends it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (!quitting) {
      event.preventDefault();
      void shutdown();
    }
  });
  void app
    .whenReady()
    .then(serviceMode ? startService : startDesktop)
    .catch((error: unknown) => {
      // e.g. the database cannot be opened: say what is wrong instead of dying silently
      const message = error instanceof Error ? error.message : String(error);
      if (serviceMode) process.stderr.write(`Triad License Server: ${message}\n`);
      else dialog.showErrorBox('Triad License Server cannot start', message);
      app.exit(1);
    });
}
