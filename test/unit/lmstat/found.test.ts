import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/core/client/searchStatus';
import type { StatusAnswer } from '../../../src/core/client/searchAttempts';
import type { ServerAddress } from '../../../src/core/client/search';
import { formatLmstatFailure, formatLmstatText, formatLmutilVersion, type ServerReport } from '../../../src/core/lmstat';
import type { ServerStatus } from '../../../src/shared/status';
import { CLOCK, triadStatus } from './sampleStatus';
import { exporterLmstat } from '../../support/lmstatParsers/flexlmExporter';

/**
 * Issue 15, "Found" bullets about lmstat: each test here failed before its fix.
 */

const options = { connectTimeoutMs: 100 };

/** A fake network: the statuses that answer at each `port@host`; everything else refuses. */
function network(answers: Record<string, ServerStatus>) {
  const asked: string[] = [];
  const query = async (address: ServerAddress): Promise<StatusAnswer> => {
    const key = `${address.port}@${address.host}`;
    asked.push(key);
    const status = answers[key];
    return status ? { status } : { failure: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } };
  };
  return { query, asked };
}

function singleStatus(host: string, port: number): ServerStatus {
  const triad = triadStatus();
  return {
    ...triad,
    host,
    port,
    mode: 'single',
    master: host,
    members: [{ ...triad.members[0], host, port, rank: 'single', up: true, master: true, self: true }],
  };
}

const serverNames = (text: string) => ({
  header: /^License server status: (.*)$/m.exec(text)?.[1].split(',').map((entry) => entry.split('@')[1]),
  lines: [...text.matchAll(/^([\w.-]+): (?:license server UP|Cannot connect)/gm)].map((m) => m[1]),
});

describe('License server status: names the servers as the SERVER lines do (flexlm_exporter #54, #76, #80)', () => {
  it('a single server asked as 27123@localhost is reported as its SERVER line 127.0.0.1', async () => {
    const { query } = network({ '27123@localhost': singleStatus('127.0.0.1', 27123) });
    const report = await probeTarget(
      { label: '27123@localhost', source: '-c', redundant: false, addresses: [{ host: 'localhost', port: 27123 }] },
      options,
      query,
    );
    const text = formatLmstatText([report], { usage: 'none' }, CLOCK);
    expect(text).toContain('License server status: 27123@127.0.0.1\n');
    expect(serverNames(text)).toEqual({ header: ['127.0.0.1'], lines: ['127.0.0.1'] });
    // the exporter keys servers by the header's names: with 27123@localhost it panicked here
    expect(exporterLmstat(text).servers['127']).toMatchObject({ fqdn: '127.0.0.1', port: '27123', status: true, master: true });
  });

  it('a triad asked by addresses reports the three SERVER-line names, the down member under its SERVER name too', async () => {
    const master = triadStatus();
    const standby = { ...master, host: 'host-1.domain.net', role: 'standby' as const };
    const { query, asked } = network({
      '27002@10.0.0.1': standby,
      '27002@10.0.0.2': master,
      '27002@host-1.domain.net': standby,
      '27002@host2.domain.net': master,
    });
    const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((host) => ({ host, port: 27002 }));
    const report = await probeTarget({ label: 'triad', source: '-c', redundant: true, addresses }, options, query);
    const text = formatLmstatText([report], { usage: 'none' }, CLOCK);
    const names = ['host-1.domain.net', 'host2.domain.net', 'host3.domain.net'];
    expect(serverNames(text)).toEqual({ header: names, lines: names });
    expect(text).toContain('host3.domain.net: Cannot connect to license server system. (-15,570:111 "Connection refused")\n');
    expect(asked).toContain('27002@host3.domain.net');
  });
});

describe('lmstat -v', () => {
  it('prints the version line monitoring tools read (`lmstat vX build N arch`)', () => {
    const text = formatLmutilVersion('lmstat', { version: 'v1.0.0', platform: 'linux', arch: 'x64' });
    expect(text.split('\n')[0]).toMatch(/^lmutil - Copyright \(c\) /);
    expect(text.split('\n')[1]).toMatch(/^lmstat (v[\d.]+) build (\d+) (\w+)$/);
    expect(text.split('\n')[1]).toMatch(/ x64_lsb$/);
    expect(formatLmutilVersion('lmutil', { version: 'v1.0.0', platform: 'win32', arch: 'x64' })).toMatch(/^lmutil v1\.0\.0 build \d+ x64_n6$/m);
  });
});

describe("a server that does not answer: lmutil's text", () => {
  const down: ServerReport = {
    members: [{ host: 'licsrv', port: 27000 }],
    probes: [{ host: 'licsrv', port: 27000, failure: { code: 'ECONNREFUSED', message: 'x' } }],
  };

  it('keeps the banner and the date, then `Error getting status: Cannot connect to license server system.`', () => {
    expect(formatLmstatFailure([down], CLOCK)).toBe(
      [
        'lmutil - Copyright (c) 2026 Triad License Server developers. All Rights Reserved.',
        'Flexible License Manager status on Fri 10/20/2017 17:02',
        '',
        'Error getting status: Cannot connect to license server system. (-15,570:111 "Connection refused")',
        '',
      ].join('\n'),
    );
  });

  it('a connect that times out reads like lmutil\'s, "Operation now in progress"', () => {
    const slow: ServerReport = { ...down, probes: [{ host: 'licsrv', port: 27000, failure: { code: 'ETIMEDOUT', message: 'no answer within 3000 ms' } }] };
    expect(formatLmstatFailure([slow], CLOCK)).toContain('Cannot connect to license server system. (-15,570:115 "Operation now in progress")');
  });
});
