import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  ToggleButton,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { FeatureStatus, ServerStatus, UserStatus, VendorStatus } from '../../../shared/status';
import { Breakable } from '../components/Breakable';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DangerButton } from '../components/DangerButton';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { atLimit, FeatureUsers } from '../components/FeatureUsers';
import { LmstatPanel } from '../components/LmstatPanel';
import { OptionsProblems } from '../components/OptionsProblems';
import { describeRereadChanges } from '../components/rereadChanges';
import { DOWNLOADS, saveBase64File } from '../components/saveTextFile';
import { ReplaceServerDialog } from '../components/ReplaceServerDialog';
import { PendingReplacementPanel } from '../components/PendingReplacementPanel';
import { TriadPicture } from '../components/TriadPicture';
import { useServerStatus } from '../useServerStatus';
import { useAction, useQuery } from '../useTransport';
import { learnerNote } from '../../../shared/triadReplacement';
import { roleLabel } from './roleLabel';

type Pending = { kind: 'stop' } | { kind: 'lmdown' } | { kind: 'remove'; feature: FeatureStatus; user: UserStatus } | null;

export function StatusScreen() {
  const status = useServerStatus();
  const action = useAction();
  const [pending, setPending] = useState<Pending>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  const [showLmstat, setShowLmstat] = useState(false);
  const [replacing, setReplacing] = useState(false);
  const replacement = useQuery('triad.replacement', {});

  const run = async (method: 'server.start' | 'server.stop' | 'server.lmdown' | 'server.reread') => {
    setAnswer(null);
    const before = status.value;
    const next = await action.run(method, {});
    if (!next) return;
    status.set(next);
    if (method === 'server.reread') setAnswer(describeRereadChanges(before?.features ?? [], next.features));
    if (method === 'server.start') setAnswer(`Started: serving on ${next.port}@${next.host}.`);
    if (method === 'server.stop' || method === 'server.lmdown') setAnswer(next.notServing ?? 'Stopped.');
  };

  const collect = async () => {
    setAnswer(null);
    const result = await action.run('diag.collect', {});
    if (!result) return;
    saveBase64File(result.fileName, result.base64, 'application/zip');
    setAnswer(
      `Diagnostics saved on the server as ${result.path} (${Math.ceil(result.bytes / 1024)} KB, ${result.entries.length} files); a copy, ` +
        `${result.fileName}, went to ${DOWNLOADS}. It holds no admin token, cluster secret or private key.`,
    );
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    if (!p) return;
    if (p.kind === 'stop') return run('server.stop');
    if (p.kind === 'lmdown') return run('server.lmdown');
    setAnswer(null);
    const next = await action.run('server.removeUser', { feature: p.feature.name, user: p.user.user, host: p.user.host, display: p.user.display });
    if (next) {
      status.set(next);
      setAnswer(`Removed ${p.user.user}@${p.user.host} from ${p.feature.name}: the seat is free again.`);
    }
  };

  const s: ServerStatus | null = status.value;
  const triad = s?.mode === 'triad';
  return (
    <section aria-labelledby="status-title" className="screen">
      <Subtitle1 as="h2" id="status-title">
        Server status
      </Subtitle1>
      {status.state === 'loading' && !s && <Loading label="Asking the license server for its status…" />}
      <ErrorBar error={status.error} onRetry={() => void status.reload()} />
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {s && (
        <>
          <div className="row">
            <Text size={500} weight="semibold" data-testid="role">
              {roleLabel(s)}
            </Text>
            {s.role !== 'stopped' && (
              <Badge appearance="tint" color={s.quorum ? 'success' : 'danger'}>
                {triad ? (s.quorum ? 'quorum' : 'no quorum') : s.mode}
              </Badge>
            )}
            <Text data-testid="server-address">
              <Breakable text={`${s.port}@${s.host}`} /> · {s.version}
            </Text>
          </div>
          <Text size={200} className="license-files-line">
            License file(s): <Breakable text={s.licenseFiles.join(', ') || 'none'} />
          </Text>
          <ServingBanner status={s} />
          <div className="button-row" role="group" aria-label="Server actions">
            {s.role === 'stopped' ? (
              <Button appearance="primary" onClick={() => void run('server.start')} disabled={!!action.busy}>
                Start server
              </Button>
            ) : (
              <>
                <Button onClick={() => void run('server.reread')} disabled={!!action.busy}>
                  Reread
                </Button>
                <DangerButton onClick={() => setPending({ kind: 'stop' })} disabled={!!action.busy}>
                  Stop this server
                </DangerButton>
                <DangerButton onClick={() => setPending({ kind: 'lmdown' })} disabled={!!action.busy}>
                  Stop (lmdown)
                </DangerButton>
              </>
            )}
            <ToggleButton checked={showLmstat} onClick={() => setShowLmstat(!showLmstat)}>
              lmstat text
            </ToggleButton>
            <Button onClick={() => void collect()} disabled={!!action.busy}>
              Collect diagnostics
            </Button>
            {triad && (
              <Button onClick={() => setReplacing(true)} disabled={!!action.busy}>
                Replace a server…
              </Button>
            )}
            {action.busy && <Loading label={action.busy === 'diag.collect' ? 'Collecting diagnostics from every server…' : 'Working…'} />}
          </div>
          {answer && (
            <Notice intent="success" role="status">
              {answer}
            </Notice>
          )}
          {showLmstat && <LmstatPanel />}
          {s.warnings.map((w) => (
            <Notice key={w} intent="warning">
              <Breakable text={w} />
            </Notice>
          ))}
          <OptionsProblems problems={s.optionsProblems} />
          {s.role !== 'stopped' &&
            s.members.map((member) => {
              const note = learnerNote(member);
              return (
                note && (
                  <Notice key={member.rank} intent="info" title="Catching up" testId={`learner-${member.rank}`}>
                    {note}
                  </Notice>
                )
              );
            })}
          {replacement.value && <PendingReplacementPanel replacement={replacement.value} status={s} />}
          {s.members.length > 0 && <TriadPicture members={s.members} known={s.role !== 'stopped'} />}
          <Subtitle2 as="h3">Vendor daemons</Subtitle2>
          {s.vendors.length === 0 ? (
            <Empty>
              {s.role === 'stopped' ? 'The server is stopped: start it to run its vendor daemons.' : 'No vendor daemons: the license file has no VENDOR line.'}
            </Empty>
          ) : (
            <Table aria-label="Vendor daemons" size="small" className="fit-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Vendor</TableHeaderCell>
                  <TableHeaderCell>State</TableHeaderCell>
                  <TableHeaderCell>Version</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {s.vendors.map((v) => (
                  <TableRow key={v.name} data-testid={`vendor-${v.name}`}>
                    <TableCell>{v.name}</TableCell>
                    <TableCell>{vendorState(v, s)}</TableCell>
                    <TableCell>{v.version}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Subtitle2 as="h3">Features</Subtitle2>
          {s.features.length === 0 ? (
            <Empty>
              {s.role === 'stopped'
                ? 'The server is stopped: start it to serve the features of its license file.'
                : 'No features. Import a license file on the License files screen.'}
            </Empty>
          ) : (
            <Table aria-label="Features" size="small" className="fit-table">
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
                  <TableRow
                    key={`${f.name}/${f.version}/${f.vendorString ?? ''}`}
                    data-testid={`feature-${f.name}`}
                    className={atLimit(f) ? 'at-limit' : undefined}
                  >
                    <TableCell>
                      <Breakable text={f.name} />
                    </TableCell>
                    <TableCell>{f.version}</TableCell>
                    <TableCell>{f.vendor}</TableCell>
                    <TableCell>{f.expiry}</TableCell>
                    <TableCell>{f.issued ?? 'uncounted'}</TableCell>
                    <TableCell>
                      {f.inUse}
                      {atLimit(f) && (
                        <Badge color="danger" appearance="filled" className="inline-badge">
                          at limit
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell>{f.served ? 'yes' : `no: ${f.notServedReason ?? 'unknown reason'}`}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Subtitle2 as="h3">Users</Subtitle2>
          {s.role === 'standby' && s.features.some((f) => f.users.length > 0) && (
            <Text size={200}>To take a seat away (lmremove), use the master{s.master ? `, ${s.master}` : ''}: it holds the seats.</Text>
          )}
          <FeatureUsers features={s.features} canRemove={s.role === 'master'} onRemove={(feature, user) => setPending({ kind: 'remove', feature, user })} />
        </>
      )}
      <ReplaceServerDialog
        open={replacing}
        onClose={() => setReplacing(false)}
        onReplaced={(result) => {
          status.set(result.status);
          replacement.set(result.replacement);
        }}
      />
      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.kind === 'remove'
            ? 'Remove user'
            : pending?.kind === 'lmdown'
              ? triad
                ? 'Stop all three license servers'
                : 'Stop the license server'
              : 'Stop this server'
        }
        confirmLabel={pending?.kind === 'remove' ? 'Remove' : pending?.kind === 'lmdown' && triad ? 'Stop all three' : 'Stop'}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        {pending?.kind === 'remove' &&
          `Take the ${pending.feature.name} seat away from ${pending.user.user}@${pending.user.host}? Their application loses the license.`}
        {pending?.kind === 'lmdown' &&
          (triad
            ? 'lmdown stops all three servers of the triad. Clients cannot check out licenses until you start them again.'
            : 'lmdown stops the license server. Clients cannot check out licenses until you start it again.')}
        {pending?.kind === 'stop' &&
          (triad
            ? 'Stop the license server on this machine? The other two keep serving while they have a quorum; Start brings this one back.'
            : 'Stop the license server on this machine? Clients cannot check out licenses until you Start it; the seats held are kept and come back on Start.')}
      </ConfirmDialog>
    </section>
  );
}

/** Not serving: one banner that says so and why. A standby: whose seats these are. */
function ServingBanner({ status }: { status: ServerStatus }) {
  if (status.notServing) {
    return (
      <MessageBar intent="error" layout="multiline" data-testid="not-serving">
        <MessageBarBody>
          <MessageBarTitle>Not serving licenses</MessageBarTitle>
          <Breakable text={status.notServing} />
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (status.seatsFrom) {
    return (
      <MessageBar intent="info" layout="multiline" data-testid="seats-from">
        <MessageBarBody>
          <MessageBarTitle>Standby</MessageBarTitle>
          {status.seatsFrom.master
            ? `The master, ${status.seatsFrom.master}, gives out the licenses and sends clients there. The seats in use shown here are the master's, ` +
              `replicated to this server.`
            : 'No master now. The seats shown are the last ones replicated to this server.'}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return null;
}

/** lmstat's words: UP with its version, or the desired vendor daemon is down (and why). */
function vendorState(vendor: VendorStatus, status: ServerStatus): string {
  if (!vendor.up) return `DOWN${vendor.problem ? `: ${vendor.problem}` : ''}`;
  return status.role === 'standby' && status.master ? `UP (serving on the master, ${status.master})` : 'UP';
}
