import { app, Menu, nativeImage, Tray } from 'electron';

// A 16x16 blue square with a white "T"-ish bar: drawn in code so packaging needs no icon file.
function trayIcon() {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const bar = (y >= 3 && y <= 5 && x >= 3 && x <= 12) || (x >= 7 && x <= 8 && y >= 3 && y <= 12);
      const i = (y * size + x) * 4;
      // BGRA
      pixels.set(bar ? [255, 255, 255, 255] : [189, 108, 15, 255], i);
    }
  }
  return nativeImage.createFromBitmap(pixels, { width: size, height: size });
}

export interface TrayActions {
  show: () => void;
  quit: () => void;
  attachedToService: boolean;
  /** Windows only: turn the boot-time service on or off (the app restarts to attach or serve). */
  setService?: (on: boolean) => void;
}

export function createTray(actions: TrayActions): Tray {
  const tray = new Tray(trayIcon());
  tray.setToolTip(actions.attachedToService ? 'Triad License Server (service)' : 'Triad License Server');
  const menu = () =>
    Menu.buildFromTemplate([
      { label: 'Open Triad', click: actions.show },
      {
        label: 'Start at login',
        type: 'checkbox',
        checked: app.getLoginItemSettings().openAtLogin,
        click: (item) => app.setLoginItemSettings({ openAtLogin: item.checked }),
      },
      ...(actions.setService
        ? [
            {
              label: 'Run the license server as a Windows service',
              type: 'checkbox' as const,
              checked: actions.attachedToService,
              click: (item: Electron.MenuItem) => actions.setService!(item.checked),
            },
          ]
        : []),
      { type: 'separator' },
      // Attached to the service the server keeps running; otherwise Quit stops it cleanly.
      { label: actions.attachedToService ? 'Quit (the service keeps serving)' : 'Quit and stop the license server', click: actions.quit },
    ]);
  tray.setContextMenu(menu());
  tray.on('click', actions.show);
  return tray;
}
