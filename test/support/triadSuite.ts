import { afterAll } from 'vitest';
import type { Backend } from '../../src/core/backend';
import type { HeldLicense } from '../../src/core/client/checkout';
import { makeTempDir } from './tempDir';

/** What a suite of in-process triad members (triadFixture.ts) leaves behind for afterAll to clean. */
export interface TriadSuite {
  temp: { dir: string; remove: () => void };
  /** Member backends by rank; a test that stops one sets its place to null. */
  backends: (Backend | null)[];
  /** Seats the suite's clients hold. */
  held: HeldLicense[];
}

/** Call inside a describe: after the suite the held seats are checked in, the members stopped and the folder removed. */
export function triadSuite(tempPrefix: string): TriadSuite {
  const suite: TriadSuite = { temp: makeTempDir(tempPrefix), backends: [null, null, null], held: [] };
  afterAll(async () => {
    for (const license of suite.held) await license.checkin().catch(() => {});
    await Promise.all(suite.backends.map((backend) => backend?.stop('test finished')));
    suite.temp.remove();
  });
  return suite;
}
