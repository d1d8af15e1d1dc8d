import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePayload, validateMessage } from '../../../src/core/protocol/codec';
import { adminConnectionRequestSchema, clientRequestSchema, helloSchema, serverMessageSchema } from '../../../src/core/protocol/messages';
import { fuzzSettings } from '../../support/fuzzSettings';

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

const checkout = {
  type: 'checkout',
  id: 1,
  feature: 'ClearCase',
  version: '1.0',
  count: 1,
  user: 'alice',
  host: 'ws1',
  display: '/dev/pts/1',
};

describe('parsePayload and validateMessage', () => {
  it('accepts a well-formed hello and checkout', () => {
    expect(validateMessage({ type: 'hello', version: 1, role: 'client' }, helloSchema).ok).toBe(true);
    expect(validateMessage(checkout, clientRequestSchema)).toEqual({ ok: true, value: checkout });
  });

  it('names the field that is wrong', () => {
    const result = validateMessage({ ...checkout, count: 0 }, clientRequestSchema);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message).toContain('count');
  });

  it('rejects unknown types, extra fields, and admin commands on a client connection', () => {
    expect(validateMessage({ type: 'launchMissiles', id: 1 }, clientRequestSchema).ok).toBe(false);
    expect(validateMessage({ ...checkout, extra: true }, clientRequestSchema).ok).toBe(false);
    expect(validateMessage({ type: 'lmdown', id: 2, token: 't' }, clientRequestSchema).ok).toBe(false);
    expect(validateMessage({ type: 'lmdown', id: 2, token: 't' }, adminConnectionRequestSchema).ok).toBe(true);
  });

  it('takes lmswitch (debug log) and lmswitchr (report log) from admin tools only', () => {
    for (const log of ['debug', 'report']) {
      expect(validateMessage({ type: 'lmswitch', id: 3, token: 't', log }, adminConnectionRequestSchema).ok).toBe(true);
      expect(validateMessage({ type: 'lmswitch', id: 3, token: 't', log }, clientRequestSchema).ok).toBe(false);
    }
    expect(validateMessage({ type: 'lmswitch', id: 3, log: 'audit' }, adminConnectionRequestSchema).ok).toBe(false);
  });

  it("checks a status reply's disk field when a server sends one", () => {
    const status = {
      takenAt: 1,
      version: 'v1.0.0',
      host: 'h',
      port: 27000,
      licenseFiles: [],
      mode: 'single',
      role: 'master',
      master: 'h',
      quorum: true,
      members: [],
      vendors: [],
      features: [],
      warnings: [],
    };
    const disk = {
      folder: '/d',
      freeBytes: 1,
      totalBytes: 2,
      reusableBytes: 0,
      warnBelowBytes: 3,
      refuseGrantsBelowBytes: 1,
      state: 'low',
      message: 'Disk space low',
      checkedAt: 5,
    };
    const reply = (status: object) => ({ type: 'statusReply', id: 1, status });
    expect(validateMessage(reply(status), serverMessageSchema).ok).toBe(true);
    expect(validateMessage(reply({ ...status, disk }), serverMessageSchema)).toMatchObject({ ok: true, value: { status: { disk } } });
    expect(validateMessage(reply({ ...status, disk: { ...disk, state: 'melting' } }), serverMessageSchema).ok).toBe(false);
  });

  it('reads server messages leniently: fields a newer server adds are dropped (docs/PROTOCOL.md, "Compatibility")', () => {
    const granted = {
      type: 'granted', id: 3, leaseId: 'L', resumeToken: 'T', feature: 'cad', version: '1.0', count: 1, heartbeatIntervalMs: 1000,
      timeoutMs: 3000, expiry: 'permanent', server: 'a', port: 27000, handle: 1, resumed: false,
    };
    const decoded = validateMessage({ ...granted, priority: 'high', members: [{ host: 'a', port: 1, zone: 'eu' }] }, serverMessageSchema);
    expect(decoded).toEqual({ ok: true, value: { ...granted, members: [{ host: 'a', port: 1 }] } });
    expect(validateMessage({ type: 'welcome', version: 1, server: 'a', port: 1, serverVersion: '2', capabilities: [] }, serverMessageSchema).ok).toBe(
      true,
    );
    // a resume token the server could not take back in a checkout is not a usable grant
    expect(validateMessage({ ...granted, resumeToken: 'x'.repeat(129) }, serverMessageSchema).ok).toBe(false);
  });

  it('rejects bad UTF-8 and non-JSON without throwing', () => {
    expect(parsePayload(Buffer.from([0xff, 0xfe, 0x7b]))).toEqual({ ok: false, message: 'frame is not UTF-8 JSON' });
    expect(parsePayload(Buffer.from('{"type":')).ok).toBe(false);
    expect(parsePayload(bytes({ type: 'hello', version: 1, role: 'client' }))).toEqual({ ok: true, value: { type: 'hello', version: 1, role: 'client' } });
  });

  it('never throws on arbitrary bytes or arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const parsed = parsePayload(raw);
        if (parsed.ok) {
          validateMessage(parsed.value, adminConnectionRequestSchema);
          validateMessage(parsed.value, serverMessageSchema);
        }
      }),
      fuzzSettings({ seed: 3201, numRuns: 500 }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(validateMessage(value, clientRequestSchema).ok).toBe(false);
      }),
      fuzzSettings({ seed: 3202, numRuns: 500 }),
    );
  });
});
