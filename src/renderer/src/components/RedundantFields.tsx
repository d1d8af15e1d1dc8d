import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { ClientHost } from '../../../shared/contract';
import { redundantProblems, redundantRoles, ServerFields } from './ServerFields';

/** Primary, secondary and tertiary server name and port, with what is wrong with the three together. */
export function RedundantFields({
  hosts,
  onChange,
  testIdPrefix,
}: {
  hosts: ClientHost[];
  onChange: (index: number, value: ClientHost) => void;
  testIdPrefix: string;
}) {
  const problems = redundantProblems(hosts);
  return (
    <>
      {redundantRoles.map((role, i) => (
        <ServerFields
          key={role}
          label={role}
          value={hosts[i]!}
          onChange={(v) => onChange(i, v)}
          testId={`${testIdPrefix}-${role.toLowerCase()}`}
          portOptional={false}
        />
      ))}
      {(problems.error ?? problems.warning) && (
        <MessageBar intent={problems.error ? 'error' : 'warning'} layout="multiline" data-testid={`${testIdPrefix}-problem`}>
          <MessageBarBody>{problems.error ?? problems.warning}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
