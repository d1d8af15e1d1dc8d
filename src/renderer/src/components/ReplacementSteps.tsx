import { Text } from '@fluentui/react-components';
import { CheckmarkCircleRegular, CircleRegular } from '@fluentui/react-icons';
import type { ReplacementStep } from '../../../shared/triadReplacement';

/** What is left to do on the other members after a replacement here, each step ticked once the status shows it done. */
export function ReplacementSteps({ steps }: { steps: ReplacementStep[] }) {
  return (
    <ol className="replacement-steps" data-testid="replacement-steps">
      {steps.map((step) => (
        <li key={step.text} className={step.done ? 'done' : undefined}>
          {step.done ? <CheckmarkCircleRegular aria-hidden /> : <CircleRegular aria-hidden />}
          <Text>
            {step.done ? 'Done: ' : ''}
            {step.text}
          </Text>
        </li>
      ))}
    </ol>
  );
}
