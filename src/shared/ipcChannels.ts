/** The Electron IPC bridge's channels, named once for the main process and the preload. */
export const invokeChannel = 'triad:invoke';

export function eventChannel(event: string): string {
  return `triad:event:${event}`;
}
