/**
 * A `granted` answer as a stand-in license server sends it (docs/PROTOCOL.md): one seat of `cad`
 * 1.0 from 127.0.0.1, a 200 ms heartbeat and a 600 ms timeout so a test sees the client react
 * within a second; `fields` add to or replace any of it (also with wrong types, on purpose).
 */
export function fakeGrant(fields: { id: number; port: number; resumed: boolean } & Record<string, unknown>): Record<string, unknown> {
  const { id, port, resumed, ...rest } = fields;
  return {
    type: 'granted',
    id,
    leaseId: 'fake-lease',
    resumeToken: 'fake-token',
    feature: 'cad',
    version: '1.0',
    count: 1,
    heartbeatIntervalMs: 200,
    timeoutMs: 600,
    expiry: 'permanent',
    server: '127.0.0.1',
    port,
    handle: 1,
    resumed,
    ...rest,
  };
}
