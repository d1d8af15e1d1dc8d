import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { ContractError } from '../../../shared/contract';

/** An error from the backend, in its own words, with an optional retry. */
export function ErrorBar({ error, onRetry, onDismiss }: { error: ContractError | null; onRetry?: () => void; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert">
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

export function Notice({ intent, title, children }: { intent: 'info' | 'warning' | 'success'; title?: string; children: ReactNode }) {
  return (
    <MessageBar intent={intent}>
      <MessageBarBody>
        {title && <MessageBarTitle>{title}</MessageBarTitle>}
        {children}
      </MessageBarBody>
    </MessageBar>
  );
}
