import { authoritativeStatus, type ServerReport } from './report';

/**
 * Triad members that answer (their server is UP) but are not in the quorum, with the reason:
 * a learner catching up, else as the master sees them, else as they see the others (issue 20: a member with another cluster
 * secret showed as plainly UP). Members that do not answer already have their own
 * "Cannot connect" line.
 */
const LEARNER = 'catching up from the master as a learner (a new machine or a replaced data folder): it votes once it holds everything committed';

export function quorumProblems(report: ServerReport): { host: string; problem: string }[] {
  const status = authoritativeStatus(report);
  if (!status || status.mode !== 'triad') return [];
  const problems: { host: string; problem: string }[] = [];
  for (const probe of report.probes) {
    if (!('status' in probe)) continue;
    const own = probe.status;
    // as it sees itself, or as the authority sees it
    const views = [...own.members.filter((member) => member.self), ...status.members.filter((member) => !member.self && member.host === own.host)];
    if (views.some((member) => member.learner === true)) {
      problems.push({ host: own.host, problem: LEARNER });
      continue;
    }
    const seenByAuthority = status.members.find((member) => !member.self && member.host === own.host)?.problem ?? null;
    if (seenByAuthority !== null && status.role === 'master') problems.push({ host: own.host, problem: seenByAuthority });
    else if (own.role === 'no-quorum') {
      const why = own.members.flatMap((member) => (member.self || member.problem === null ? [] : [`${member.host} ${member.problem}`]));
      problems.push({ host: own.host, problem: why.length > 0 ? why.join('; ') : 'it reaches no other member' });
    }
  }
  return problems;
}
