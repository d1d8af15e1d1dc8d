import type { Diagnosis } from './diagnose';
import { formatStatusDate, type LmstatClock } from '../lmstat/clock';

/**
 * lmdiag's report, modelled on FLEXlm's (a dashed frame per license file, one block per license
 * line, then whether it can be checked out); the exact wording of every line is UNCONFIRMED.
 */
const RULE = '-'.repeat(53);

export function formatDiagnoses(diagnoses: readonly Diagnosis[], clock: LmstatClock): string {
  const lines = [`FlexNet diagnostics on ${formatStatusDate(clock.nowMs, clock.timeZone)}`, ''];
  let entry: string | null = null;
  for (const { entry: current, server, pool, problem } of diagnoses) {
    if (current !== entry) {
      entry = current;
      lines.push(RULE, `License file: ${current}`, RULE);
    }
    const expiry = pool.expiry === 'permanent' ? 'permanent(no expiration date)' : pool.expiry;
    const kind = pool.kind === 'uncounted' ? 'uncounted nodelocked license' : pool.kind === 'nodelocked' ? 'nodelocked license' : 'floating license';
    lines.push(
      `"${pool.name}" v${pool.version}, vendor: ${pool.vendor}, expiry: ${expiry}`,
      `  License server: ${server ?? 'none'}`,
      `  ${kind}  expires: ${expiry}`,
      '',
    );
    lines.push(problem === null ? 'This license can be checked out' : `This license cannot be checked out because:\n\t${problem}`, RULE);
  }
  if (diagnoses.length === 0) lines.push('No licenses to diagnose: no server answered, or none serves the features asked for.');
  return lines.join('\n') + '\n';
}
