import os from 'node:os';
import type { Diagnostic, LicenseFile } from '../license';
import { chooseSelf, SetupError, type SelfIdentity } from './licenseSetup';

/**
 * A three-server file imported on a machine that is none of its SERVER lines would make this
 * server a member of nothing (its start is refused, or a stray "triad" of one): the check says so
 * before the import, at the first SERVER line.
 */
export function notOnServerLines(file: LicenseFile, identity: SelfIdentity): Diagnostic | null {
  if (file.servers.length !== 3) return null;
  try {
    chooseSelf(file, identity);
    return null;
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
  }
  const hosts = file.servers.map((server) => server.host).join(', ');
  const self = identity.as ? `${os.hostname()}, which runs as ${identity.as}` : os.hostname();
  return {
    severity: 'error',
    file: file.fileName,
    line: file.servers[0]!.line,
    column: 1,
    message: `none of the three SERVER lines (${hosts}) is this machine (${self}): this server cannot be one of the redundant servers this file describes`,
    hint: 'import the file on the three machines its SERVER lines name, or correct a host name there if this machine was renamed (host names may be ' +
      'edited, host ids may not)',
  };
}
