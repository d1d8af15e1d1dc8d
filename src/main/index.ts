import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Triad License Server',
    webPreferences: { preload: join(__dirname, '../preload/index.mjs'), contextIsolation: true, sandbox: false },
  });
  void window.loadFile(join(__dirname, '../renderer/index.html'));
  return window;
}

void app.whenReady().then(createWindow);
