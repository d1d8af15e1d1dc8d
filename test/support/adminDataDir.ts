import { readFileSync } from 'node:fs';
import { licenseFileIn } from '../../src/core/admin/adminApi';
import { parseVendorKeyFile } from '../../src/core/license';
import { openStore } from '../../src/core/store';
import type { MethodArgs, MethodName, MethodResult, Transport } from '../../src/shared/contract';
import { shareClusterSecret } from './clusterSecret';

/**
 * An admin app's data folder as an earlier import left it: `text` as its license file, the
 * vendor's public key (`publicKeyPath`) trusted and, for a triad member, the cluster secret.
 */
export function provisionAdminDataDir(dataDir: string, options: { text: string; publicKeyPath: string; clusterSecret?: string }): string {
  const store = openStore(dataDir);
  const key = parseVendorKeyFile(readFileSync(options.publicKeyPath, 'utf8'));
  if (!key.ok) throw new Error(key.message);
  store.trustedKeys.add({ vendor: key.vendor, publicKey: key.pem, addedAt: 0 });
  store.licenseFiles.import({ path: licenseFileIn(dataDir), text: options.text, importedAt: 0 });
  store.close();
  if (options.clusterSecret) shareClusterSecret([dataDir], options.clusterSecret);
  return dataDir;
}

/** An admin API call's value; a refusal throws with its code and message. */
export async function invokeOk<M extends MethodName>(api: Transport, method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const result = await api.invoke(method, args);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
