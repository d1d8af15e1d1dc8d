import net from 'node:net';

/**
 * A port nobody listens on right now, as the system picks it. Fixed or random ports in the
 * ephemeral range collide with the outgoing connections of other tests.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
