import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// The renderer gets exactly two functions: invoke a contract method, subscribe to a contract event.
contextBridge.exposeInMainWorld('triad', {
  invoke: (method: string, args: unknown) => ipcRenderer.invoke('triad:invoke', method, args),
  on: (event: string, listener: (payload: unknown) => void) => {
    const channel = `triad:event:${event}`;
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.removeListener(channel, handler);
  },
});
