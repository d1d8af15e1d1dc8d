import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { ContractError } from '../../../shared/contract';

/** An error from the backend, in its own words, with an optional retry. */
export function ErrorBar({ error, onRetry, onDismiss }: { error: ContractError | null; onRetry?: () => void; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Error</MessageBarTitle>
        {error.message}
      </MessageBarBody>
      <MessageBarActions>
        {onRetry && <Button onClick={onRetry}>Retry</Button>}
        {onDismiss && <Button onClick={onDismiss}>Dismiss</Button>}
      </MessageBarActions>
    </MessageBar>
  );
}

export function Loading({ label }: { label: string }) {
  return <Spinner size="small" label={label} labelPosition="after" />;
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text as="p" italic>
      {children}
    </Text>
  );
}

/** A message that stays on the screen; `role="status"` for the answer to an action, so it is read out. */
export function Notice({
  intent,
  title,
  children,
  role,
  testId,
}: {
  intent: 'info' | 'warning' | 'success';
  title?: string;
  children: ReactNode;
  role?: 'status';
  testId?: string;
}) {
  return (
    <MessageBar intent={intent} layout="multiline" role={role} data-testid={testId}>
      <MessageBarBody>
        {title && <MessageBarTitle>{title}</MessageBarTitle>}
        {children}
      </MessageBarBody>
    </MessageBar>
  );
}
