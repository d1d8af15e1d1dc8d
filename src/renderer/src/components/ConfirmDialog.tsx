import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { DangerButton } from './DangerButton';
import { useReturnFocus } from './useReturnFocus';

/** Asks before an action; `danger` (the default) for one that takes something away. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  useReturnFocus(props.open);
  return (
    <Dialog open={props.open} onOpenChange={(_e, data) => !data.open && props.onCancel()} modalType="alert">
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>{props.children}</DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onCancel}>
              Cancel
            </Button>
            {props.danger === false ? (
              <Button appearance="primary" onClick={props.onConfirm}>
                {props.confirmLabel}
              </Button>
            ) : (
              <DangerButton solid onClick={props.onConfirm}>
                {props.confirmLabel}
              </DangerButton>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
