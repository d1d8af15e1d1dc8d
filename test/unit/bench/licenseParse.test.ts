import { expect, it } from 'vitest';
import { benchLicenseParse } from '../../../bench/licenseParse';

it('the license parse benchmark runs and verifies every signature (small size)', async () => {
  const result = await benchLicenseParse(50);
  expect(result.features).toBe(50);
  expect(result.fileBytes).toBeGreaterThan(50 * 200);
  expect(result.totalMs).toBeGreaterThan(0);
  expect(result.totalMs).toBeCloseTo(result.parseMs + result.coldVerifyMs, 6);
  for (const figure of ['coldInThreadMs', 'warmVerifyMs', 'rereadMs', 'rereadVerifyMs', 'opensslVerifyMs', 'coldToOpenssl'])
    expect(result[figure]).toBeGreaterThan(0);
});
