/**
 * The Electron shell: one instance per machine, a window with the admin UI, a tray icon that keeps
 * the license server running when the window closes, and Quit that stops it cleanly.
 * Service mode runs the same backend headless (no window), for the Windows service / boot task;
 * when such a service already answers, the app attaches to it as its admin UI instead of
 * starting a second server. What lies outside Electron comes in as ShellDeps (index.ts wires the
 * real ones), so this logic runs under test against a fake 'electron' module.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { join } from 'node:path';
import type { AdminApp } from '../host/adminApp';
import type { HttpHost, HttpHostOptions } from '../host/httpHost';
import { eventNames } from '../shared/contract';
import { eventChannel, invokeChannel } from '../shared/ipcChannels';
import { SERVICE_LISTEN } from './serviceAttach';
import { createTray } from './tray';

export interface ShellDeps {
  /** `--service`: headless, for the Windows service / boot task. */
  serviceMode: boolean;
  /** Folder of the built main script (out/main); the preload and renderer builds lie beside it. */
  builtDir: string;
  /** The tray offers to run the server as a Windows service. */
  offerWindowsService: boolean;
  /** Opens the store and starts the license server; rejects when e.g. the database cannot be opened. */
  openAdminApp(): Promise<AdminApp>;
  startHttpHost(options: HttpHostOptions): Promise<HttpHost>;
  /** The running service's admin UI URL, or null when none answers. */
  findRunningService(): Promise<string | null>;
  /** What the window attached to the service opens (signed in when this user can read its token). */
  serviceWindowUrl(serviceUrl: string): string;
  installWindowsService(): Promise<void>;
  removeWindowsService(): Promise<void>;
  /** Calls stop when the system asks this process to end (SIGTERM). */
  onTerminate(stop: () => void): void;
  /** Where service mode, which has no window, says what went wrong. */
  reportError(message: string): void;
}

const title = 'Triad License Server';

export function startShell(deps: ShellDeps): void {
  let adminApp: AdminApp | null = null;
  let serviceHost: HttpHost | null = null;
  let window: BrowserWindow | null = null;
  let quitting = false;

  function createWindow(serviceUrl: string | null): BrowserWindow {
    const win = new BrowserWindow({
      width: 1200,
      height: 820,
      title,
      show: false,
      // Sandboxed either way (the preload is a CommonJS bundle that needs only 'electron').
      // Attached to a service, the page talks HTTP to it, so it gets no IPC bridge.
      webPreferences: serviceUrl
        ? { contextIsolation: true, sandbox: true }
        : { preload: join(deps.builtDir, '../preload/index.cjs'), contextIsolation: true, sandbox: true },
    });
    win.once('ready-to-show', () => win.show());
    win.on('close', (event) => {
      // Closing the window keeps the server running in the tray; Quit really quits.
      if (!quitting) {
        event.preventDefault();
        win.hide();
      }
    });
    if (serviceUrl) void win.loadURL(deps.serviceWindowUrl(serviceUrl));
    else void win.loadFile(join(deps.builtDir, '../renderer/index.html'));
    return win;
  }

  function showWindow(): void {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  function wireIpc(appApi: AdminApp['api']): void {
    ipcMain.handle(invokeChannel, (_event, method: string, args: unknown) => appApi.invoke(method as never, args as never));
    for (const name of eventNames) {
      appApi.on(name, (payload) => {
        for (const win of BrowserWindow.getAllWindows()) win.webContents.send(eventChannel(name), payload);
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
    const serviceUrl = await deps.findRunningService();
    if (!serviceUrl) {
      adminApp = await deps.openAdminApp();
      wireIpc(adminApp.api);
    }
    window = createWindow(serviceUrl);
    createTray({
      show: showWindow,
      quit: () => void shutdown(),
      attachedToService: serviceUrl !== null,
      setService: deps.offerWindowsService ? (on) => void switchService(on) : undefined,
    });
  }

  /** Hands the license server over to the service (or back), then restarts to attach (or serve). */
  async function switchService(on: boolean): Promise<void> {
    try {
      if (on) {
        // Free the license port first: the service's server takes it over.
        await adminApp?.close();
        adminApp = null;
        await deps.installWindowsService();
      } else {
        await deps.removeWindowsService();
      }
    } catch (error) {
      dialog.showErrorBox(title, `The service could not be ${on ? 'installed' : 'removed'}: ${messageOf(error)}`);
    }
    quitting = true;
    app.relaunch();
    app.exit(0);
  }

  async function startService(): Promise<void> {
    adminApp = await deps.openAdminApp();
    serviceHost = await deps.startHttpHost({
      api: adminApp.api,
      metrics: adminApp.metrics,
      adminToken: adminApp.adminToken,
      adminTokenFile: adminApp.adminTokenFile,
      rendererDir: join(deps.builtDir, '../renderer'),
      ...SERVICE_LISTEN,
    });
    deps.onTerminate(() => void shutdown());
  }

  if (!deps.serviceMode && !app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', showWindow);
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
    .then(deps.serviceMode ? startService : startDesktop)
    .catch((error: unknown) => {
      // e.g. the database cannot be opened: say what is wrong instead of dying silently
      if (deps.serviceMode) deps.reportError(`${title}: ${messageOf(error)}`);
      else dialog.showErrorBox(`${title} cannot start`, messageOf(error));
      app.exit(1);
    });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
