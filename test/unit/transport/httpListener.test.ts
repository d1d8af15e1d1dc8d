import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenHttp } from '../../../src/core/transport/httpListener';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function server(): Server {
  const created = createServer((_req, res) => res.end('here'));
  servers.push(created);
  return created;
}

describe('listenHttp', () => {
  it('binds and names the base URL it serves on', async () => {
    const url = await listenHttp(server(), '127.0.0.1', 0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/`)).text()).toBe('here');
  });

  it('rejects with the OS error when the port is taken', async () => {
    const taken = new URL(await listenHttp(server(), '127.0.0.1', 0)).port;
    const second = server();
    await expect(listenHttp(second, '127.0.0.1', Number(taken))).rejects.toMatchObject({ code: 'EADDRINUSE' });
    servers.pop();
  });
});
