import { randomBytes } from 'node:crypto';
import { importClusterSecret } from '../../src/core/store/secrets';

/**
 * Gives the data folders of a triad's members one cluster secret, as an administrator does with
 * `triad cluster-secret --new` on one and `--import` on the others: a triad never forms without
 * a shared secret. Returns the secret.
 */
export function shareClusterSecret(dataDirs: readonly string[], secret = randomBytes(32).toString('hex')): string {
  for (const dir of dataDirs) {
    const imported = importClusterSecret(dir, secret);
    if (!imported.ok) throw new Error(imported.error);
  }
  return secret;
}
