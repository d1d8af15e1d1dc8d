import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useServerStatus } from '../useServerStatus';
import { useQuery } from '../useTransport';

/**
 * The server's disk, on every screen, while it is short of space: a warning below the warning
 * threshold, an error while new licenses are refused. It starts from the Settings data (which
 * carries the last measurement, also while the server is stopped) and follows the live status's
 * `disk` field once the running server reports one.
 */
export function DiskBanner() {
  const logs = useQuery('logs.get', {});
  const disk = useServerStatus().value?.disk ?? logs.value?.disk;
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
