import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useState } from 'react';
import type { DiskStatus } from '../../../shared/logRetention';
import { useEvent, useQuery } from '../useTransport';

/**
 * The server's disk, on every screen, while it is short of space: a warning below the warning
 * threshold, an error while new licenses are refused. It starts from the Settings data (which
 * carries the last measurement) and follows the status snapshot's `disk` field live.
 */
export function DiskBanner() {
  const logs = useQuery('logs.get', {});
  const [live, setLive] = useState<DiskStatus | null | undefined>(undefined);
  useEvent('status', (status) => setLive(status.disk ?? null));
  const disk = live === undefined ? logs.value?.disk : live;
  if (!disk || disk.state === 'ok' || disk.message === null) return null;
  const refusing = disk.state === 'refusing' || disk.state === 'full';
  return (
    <MessageBar intent={refusing ? 'error' : 'warning'} role={refusing ? 'alert' : 'status'} data-testid="disk-banner">
      <MessageBarBody>
        <MessageBarTitle>{refusing ? 'New licenses refused: disk full' : 'Disk space low'}</MessageBarTitle>
        {disk.message}
      </MessageBarBody>
    </MessageBar>
  );
}
