import type { MemberRank } from '../../shared/status';
import type { LicenseFile, ServerLine } from './model';

const TRIAD: MemberRank[] = ['primary', 'secondary', 'tertiary'];

/**
 * Roles come from SERVER-line order (reference 1.2). A file with one SERVER line is a single
 * server. Files with another count are errors; their first three lines are still ranked in order
 * so tools can show them, and any further lines get no rank.
 */
export function serverRanks(file: LicenseFile): { server: ServerLine; rank: MemberRank }[] {
  if (file.servers.length === 1) return [{ server: file.servers[0], rank: 'single' }];
  return file.servers.slice(0, 3).map((server, index) => ({ server, rank: TRIAD[index] }));
}
