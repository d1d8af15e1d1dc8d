import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ServerStatus } from '../../../shared/status';
import { describeMachine, replacementSteps, type PendingReplacement } from '../../../shared/triadReplacement';
import { ReplacementSteps } from './ReplacementSteps';

/** A replacement done on this server while the other members still have steps left (README, "Replace a server"). */
export function PendingReplacementPanel({ replacement, status }: { replacement: PendingReplacement; status: ServerStatus }) {
  const steps = replacementSteps(replacement, status);
  if (steps.every((step) => step.done)) return null;
  return (
    <MessageBar intent="info" layout="multiline" data-testid="pending-replacement">
      <MessageBarBody>
        <MessageBarTitle>
          Replacing {describeMachine(replacement.from)} by {describeMachine(replacement.to)}
        </MessageBarTitle>
        This server accepted the new SERVER line {replacement.position} ({replacement.rank}) on {new Date(replacement.atMs).toLocaleString()}. Still to do:
        <ReplacementSteps steps={steps} />
      </MessageBarBody>
    </MessageBar>
  );
}
