import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

/** The Python client's own unit tests (frames, messages, search path), run with the system python3. */
it('clients/python unit tests pass', async () => {
  const cwd = path.resolve(import.meta.dirname, '../../../clients/python');
  const { stderr } = await promisify(execFile)('python3', ['-m', 'unittest', 'discover', '-s', 'tests'], {
    cwd,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  expect(stderr).toMatch(/^Ran \d+ tests in [\d.]+s\n\nOK\n$/m);
}, 60_000);
