import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLmstatText } from '../../../src/core/lmstat';
import { adminConnectionRequestSchema, clientRequestSchema, helloSchema } from '../../../src/core/protocol';
import { CONTROL_CHARACTERS, escapeControlCharacters } from '../../../src/shared/controlChars';
import { formatDebugLogLine, formatDebugLogText } from '../../../src/shared/debugLogText';
import { denialsToCsv } from '../../../src/shared/usage';
import { fuzzSettings } from '../../support/fuzzSettings';
import { CLOCK, triadReport } from '../lmstat/sampleStatus';

/**
 * Issue 20: a user, host, display or feature name with a line break forged lines in the debug
 * log and its export, and one with an escape sequence reached the terminal raw through lmstat.
 * The wire refuses such names; every text output escapes any already stored.
 */

const checkout = { type: 'checkout', id: 1, feature: 'f', version: '1.0', count: 1, user: 'u', host: 'h', display: ':0' };
const forged = 'alice\n9:00:00 (lmgrd) SERVER shutdown requested';
const escape = 'bob\u001b[2J\u001b]0;pwned\u0007';

describe('control characters in names', () => {
  it('the wire refuses them in every name a client or admin tool sends', () => {
    for (const field of ['feature', 'user', 'host', 'display'] as const) {
      for (const bad of [forged, escape, 'x\ty', 'x\u2028y', 'x\u0085y']) {
        const parsed = clientRequestSchema.safeParse({ ...checkout, [field]: bad });
        expect(parsed.success, `${field}: ${JSON.stringify(bad)}`).toBe(false);
        expect(JSON.stringify(parsed.error?.issues)).toMatch(/control characters/);
      }
    }
    expect(adminConnectionRequestSchema.safeParse({ type: 'lmremove', id: 1, feature: 'f', user: forged, host: 'h', display: ':0' }).success).toBe(false);
    expect(helloSchema.safeParse({ type: 'hello', version: 1, role: 'admin', agent: escape }).success).toBe(false);
    // ordinary names still pass, non-ASCII letters included
    expect(clientRequestSchema.safeParse({ ...checkout, user: 'José Müller', host: 'ws-01.example.com', display: '/dev/pts/3' }).success).toBe(true);
  });

  it('a debug-log line and its export stay one line, and carry no escape sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (message) => {
        const line = formatDebugLogLine({ time: 0, daemon: 'ibmratl', message: `OUT: "f" ${message}@ws` });
        expect(line).not.toMatch(CONTROL_CHARACTERS);
        expect(formatDebugLogText([{ time: 0, daemon: 'lmgrd', message }]).trimEnd().split('\n')).toHaveLength(2);
      }),
      fuzzSettings({ seed: 20_20, numRuns: 300 }),
    );
    expect(formatDebugLogLine({ time: 0, daemon: 'ibmratl', message: `OUT: "f" ${forged}@ws` })).toContain('alice\\x0a9:00:00 (lmgrd)');
  });

  it('lmstat text escapes them in user, host, display and feature names', () => {
    const report = triadReport();
    const status = 'status' in report.probes[0]! ? report.probes[0].status : null;
    if (!status) throw new Error('sample has a status');
    status.features[0]!.users.push({ ...status.features[0]!.users[0]!, user: escape, host: forged, display: 'x\u2028y' });
    const text = formatLmstatText([report], { usage: 'all' }, CLOCK);
    // lmstat's own layout has line feeds and the tab of reservation lines; nothing else
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain(escapeControlCharacters(escape));
    expect(text).not.toContain('\n9:00:00 (lmgrd)');
  });

  it('the denials CSV escapes them too', () => {
    const csv = denialsToCsv([{ time: 0, feature: 'f', user: escape, host: 'h', reason: 'r' }]);
    expect(csv).not.toContain('\u001b');
  });
});
