import {
  Badge,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  Title3,
  Toolbar,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { FeatureStatus, ServerStatus, UserStatus } from '../../../shared/status';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { TriadPicture } from '../components/TriadPicture';
import { UsersTable } from '../components/UsersTable';
import { useAction, useEvent, useQuery } from '../useTransport';
import { roleLabel } from './roleLabel';

type Pending = { kind: 'stop' } | { kind: 'lmdown' } | { kind: 'remove'; feature: FeatureStatus; user: UserStatus } | null;

export function StatusScreen() {
  const status = useQuery('status.get', {});
  const action = useAction();
  const [pending, setPending] = useState<Pending>(null);
  useEvent('status', status.set);

  const run = async (method: 'server.start' | 'server.stop' | 'server.lmdown' | 'server.reread') => {
    const next = await action.run(method, {});
    if (next) status.set(next);
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    if (!p) return;
    if (p.kind === 'stop') return run('server.stop');
    if (p.kind === 'lmdown') return run('server.lmdown');
    const next = await action.run('server.removeUser', { feature: p.feature.name, user: p.user.user, host: p.user.host, display: p.user.display });
    if (next) status.set(next);
  };

  const s: ServerStatus | null = status.value;
  return (
    <section aria-labelledby="status-title" className="screen">
      <Title2 as="h2" id="status-title">Server status</Title2>
      {status.state === 'loading' && !s && <Loading label="Asking the license server for its status…" />}
      <ErrorBar error={status.error} onRetry={() => void status.reload()} />
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {s && (
        <>
          <div className="row">
            <Text size={500} weight="semibold" data-testid="role">
              {roleLabel(s)}
            </Text>
            <Badge appearance="tint" color={s.quorum ? 'success' : 'danger'}>
              {s.mode === 'triad' ? (s.quorum ? 'quorum' : 'no quorum') : s.mode}
            </Badge>
            <Text>
              {s.port}@{s.host} · {s.version} · {s.licenseFiles.join(', ') || 'no license file'}
            </Text>
          </div>
          <Toolbar aria-label="Server actions">
            {s.role === 'stopped' ? (
              <Button appearance="primary" onClick={() => void run('server.start')} disabled={!!action.busy}>
                Start server
              </Button>
            ) : (
              <>
                <Button onClick={() => setPending({ kind: 'stop' })} disabled={!!action.busy}>
                  Stop this server
                </Button>
                <Button onClick={() => setPending({ kind: 'lmdown' })} disabled={!!action.busy}>
                  Stop (lmdown)
                </Button>
                <Button onClick={() => void run('server.reread')} disabled={!!action.busy}>
                  Reread
                </Button>
              </>
            )}
            {action.busy && <Loading label="Working…" />}
          </Toolbar>
          {s.warnings.map((w) => (
            <Notice key={w} intent="warning">
              {w}
            </Notice>
          ))}
          {s.members.length > 0 && <TriadPicture members={s.members} />}
          <Title3 as="h3">Vendor daemons</Title3>
          {s.vendors.length === 0 ? (
            <Empty>
              {s.role === 'stopped' ? 'The server is stopped: start it to run its vendor daemons.' : 'No vendor daemons: the license file has no VENDOR line.'}
            </Empty>
          ) : (
            <Table aria-label="Vendor daemons" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Vendor</TableHeaderCell>
                  <TableHeaderCell>State</TableHeaderCell>
                  <TableHeaderCell>Version</TableHeaderCell>
                  <TableHeaderCell>Problem</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {s.vendors.map((v) => (
                  <TableRow key={v.name}>
                    <TableCell>{v.name}</TableCell>
                    <TableCell>{v.up ? 'UP' : 'DOWN'}</TableCell>
                    <TableCell>{v.version}</TableCell>
                    <TableCell>{v.problem ?? ''}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Title3 as="h3">Features</Title3>
          {s.features.length === 0 ? (
            <Empty>
              {s.role === 'stopped'
                ? 'The server is stopped: start it to serve the features of its license file.'
                : 'No features. Import a license file on the License files screen.'}
            </Empty>
          ) : (
            <Table aria-label="Features" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Feature</TableHeaderCell>
                  <TableHeaderCell>Version</TableHeaderCell>
                  <TableHeaderCell>Vendor</TableHeaderCell>
                  <TableHeaderCell>Expiry</TableHeaderCell>
                  <TableHeaderCell>Issued</TableHeaderCell>
                  <TableHeaderCell>In use</TableHeaderCell>
                  <TableHeaderCell>Served</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {s.features.map((f) => (
                  <TableRow key={`${f.name}/${f.version}/${f.vendorString ?? ''}`} data-testid={`feature-${f.name}`}>
                    <TableCell>{f.name}</TableCell>
                    <TableCell>{f.version}</TableCell>
                    <TableCell>{f.vendor}</TableCell>
                    <TableCell>{f.expiry}</TableCell>
                    <TableCell>{f.issued ?? 'uncounted'}</TableCell>
                    <TableCell>{f.inUse}</TableCell>
                    <TableCell>{f.served ? 'yes' : `no: ${f.notServedReason ?? 'unknown reason'}`}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Title3 as="h3">Users</Title3>
          <UsersTable features={s.features} onRemove={(feature, user) => setPending({ kind: 'remove', feature, user })} />
        </>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === 'remove' ? 'Remove user' : pending?.kind === 'lmdown' ? 'Stop the license servers' : 'Stop this server'}
        confirmLabel={pending?.kind === 'remove' ? 'Remove' : 'Stop'}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        {pending?.kind === 'remove' &&
          `Take the ${pending.feature.name} seat away from ${pending.user.user}@${pending.user.host}? Their application loses the license.`}
        {pending?.kind === 'lmdown' &&
          (s?.mode === 'triad'
            ? 'lmdown stops all three servers of the triad. Clients cannot check out licenses until you start them again.'
            : 'lmdown stops the license server. Clients cannot check out licenses until you start it again.')}
        {pending?.kind === 'stop' && 'Stop the license server on this machine? The app keeps running; Start brings it back.'}
      </ConfirmDialog>
    </section>
  );
}
