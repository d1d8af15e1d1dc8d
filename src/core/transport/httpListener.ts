import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Binds an HTTP server (the metrics endpoint, the headless host's admin UI) and names where it
 * listens: resolves with its base URL, `http://ADDRESS:PORT` with an IPv6 address in brackets,
 * or rejects with the OS error (EADDRINUSE, EADDRNOTAVAIL...).
 */
export async function listenHttp(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}
