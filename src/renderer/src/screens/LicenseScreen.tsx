import {
  Button,
  Checkbox,
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  Title2,
  Title3,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { LicenseCheckReport } from '../../../shared/contract';
import { CheckReport } from '../components/CheckReport';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { seatsAtRisk } from '../components/seatsAtRisk';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { FileDrop } from '../components/FileDrop';
import { useAction, useEvent, useQuery } from '../useTransport';

interface Candidate {
  fileName: string;
  text: string;
  report: LicenseCheckReport;
}

export function LicenseScreen() {
  const current = useQuery('license.current', {});
  const action = useAction();
  const [candidate, setCandidate] = useState<Candidate | null>(null);
  const [outcome, setOutcome] = useState<{ served: boolean; message: string } | null>(null);
  const [distribute, setDistribute] = useState(true);
  useEvent('license', current.set);
  // only to offer distribution on a triad; the Server status screen shows status errors
  const status = useQuery('status.get', {});
  useEvent('status', status.set);
  const triadRole = status.value?.mode === 'triad' && status.value.role !== 'stopped' ? status.value.role : null;
  const distributing = triadRole === 'master' && distribute;

  const check = async (fileName: string, text: string) => {
    setOutcome(null);
    setCandidate(null);
    const report = await action.run('license.check', { fileName, text });
    if (report) setCandidate({ fileName, text, report });
  };

  const importIt = async () => {
    if (!candidate) return;
    const args = { fileName: candidate.fileName, text: candidate.text };
    const result = await action.run('license.import', distributing ? { ...args, distribute: true } : args);
    if (!result) return;
    if (result.imported) {
      setCandidate(null);
      setOutcome(
        result.outcome && {
          served: result.outcome.state === 'served' || result.outcome.state === 'standby',
          message: result.distributed ? `${result.outcome.message} All three redundant servers switched to it.` : result.outcome.message,
        },
      );
      void current.reload();
    } else {
      setCandidate({ ...candidate, report: result.report });
    }
  };

  const hasErrors = (candidate?.report.errors.length ?? 0) > 0;
  const atRisk = candidate && !hasErrors ? seatsAtRisk(candidate.report, status.value?.features ?? []) : [];
  return (
    <section aria-labelledby="license-title" className="screen">
      <Title2 as="h2" id="license-title">License files</Title2>
      <Title3 as="h3">Import a license file</Title3>
      <FileDrop testId="license-file" label="Choose license file…" accept=".lic,.dat,.txt,.upd,text/plain" onFile={(name, text) => void check(name, text)} />
      {action.busy === 'license.check' && <Loading label="Checking the file…" />}
      {action.busy === 'license.import' && <Loading label={distributing ? 'Distributing to the three redundant servers…' : 'Importing and rereading…'} />}
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {outcome && <Notice intent={outcome.served ? 'success' : 'warning'}>{outcome.message}</Notice>}
      {candidate && (
        <div className="candidate">
          {hasErrors ? (
            <Notice intent="warning" title="Not imported">
              {candidate.fileName} has errors; the current license file is kept. Fix the lines below and choose the file again.
            </Notice>
          ) : (
            <>
              {atRisk.length > 0 && (
                <Notice intent="warning" title="Seats in use would be lost">
                  {candidate.fileName} serves fewer seats than are in use now:{' '}
                  {atRisk
                    .map((r) => `${r.name} (${r.inUse} in use, ${r.newSeats === 0 ? 'not in the file' : `${r.newSeats} in the file`})`)
                    .join(', ')}
                  . Their users lose them when you import it.
                </Notice>
              )}
              <div className="row">
                <Text>{candidate.fileName} has no errors.</Text>
                {triadRole === 'master' && (
                  <Checkbox
                    label="Distribute to all three redundant servers, which switch to it together"
                    checked={distribute}
                    onChange={(_, data) => setDistribute(data.checked === true)}
                  />
                )}
                {triadRole !== null && triadRole !== 'master' && (
                  <Text>
                    To switch all three servers together, import this file on the master{status.value?.master ? ` (${status.value.master})` : ''}. Imported
                    here only, this server stays out of the quorum until the other two serve the same file.
                  </Text>
                )}
                <Button appearance="primary" onClick={() => void importIt()} disabled={!!action.busy}>
                  Import and replace the current file
                </Button>
                <Button onClick={() => setCandidate(null)}>Cancel</Button>
              </div>
            </>
          )}
          <CheckReport report={candidate.report} />
        </div>
      )}

      <Title3 as="h3">Current license file</Title3>
      {current.state === 'loading' && !current.value && <Loading label="Loading the current license file…" />}
      <ErrorBar error={current.error} onRetry={() => void current.reload()} />
      {current.state !== 'loading' && current.value === null && !current.error && <Empty>No license file yet. Import one above.</Empty>}
      {current.value && (
        <>
          <Text as="p" data-testid="current-license-path">
            {current.value.path} · imported {new Date(current.value.importedAt).toLocaleString()} · sha256 {current.value.hash.slice(0, 12)}…
          </Text>
          <Textarea
            readOnly
            value={current.value.text}
            resize="vertical"
            rows={12}
            className="license-text"
            aria-label="Current license file text"
            data-testid="current-license-text"
          />
        </>
      )}
      <TrustedKeys />
    </section>
  );
}

function TrustedKeys() {
  const keys = useQuery('keys.list', {});
  const action = useAction();
  const [vendor, setVendor] = useState('');
  const [publicKey, setPublicKey] = useState('');

  const add = async () => {
    const next = await action.run('keys.add', { vendor, publicKey });
    if (next) {
      keys.set(next);
      setVendor('');
      setPublicKey('');
    }
  };
  // removing a key stops serving its vendor's lines at once: asked first
  const [toRemove, setToRemove] = useState<{ vendor: string; fingerprint: string } | null>(null);
  const remove = async () => {
    if (!toRemove) return;
    setToRemove(null);
    const next = await action.run('keys.remove', toRemove);
    if (next) keys.set(next);
  };

  return (
    <>
      <Title3 as="h3">Trusted vendor keys</Title3>
      <Text as="p">The server serves a feature only when its SIGN= verifies against a trusted key of its vendor.</Text>
      <ErrorBar error={keys.error ?? action.error} onRetry={() => void keys.reload()} />
      {keys.state === 'loading' && !keys.value && <Loading label="Loading keys…" />}
      {keys.value && keys.value.length === 0 && <Empty>No trusted keys: no signed feature is served. Add the vendor's public key (.pub) below.</Empty>}
      {keys.value && keys.value.length > 0 && (
        <Table aria-label="Trusted vendor keys" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Vendor</TableHeaderCell>
              <TableHeaderCell>Fingerprint</TableHeaderCell>
              <TableHeaderCell>Added</TableHeaderCell>
              <TableHeaderCell>
                <span className="visually-hidden">Actions</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.value.map((k) => (
              <TableRow key={k.vendor + k.fingerprint}>
                <TableCell>{k.vendor}</TableCell>
                <TableCell>
                  <code>{k.fingerprint}</code>
                </TableCell>
                <TableCell>{new Date(k.addedAt).toLocaleString()}</TableCell>
                <TableCell>
                  <Button
                    size="small"
                    onClick={() => setToRemove({ vendor: k.vendor, fingerprint: k.fingerprint })}
                    aria-label={`Remove key ${k.fingerprint} of ${k.vendor}`}
                  >
                    Remove
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ConfirmDialog
        open={toRemove !== null}
        title={`Stop trusting this ${toRemove?.vendor ?? ''} key?`}
        confirmLabel="Stop trusting"
        onConfirm={() => void remove()}
        onCancel={() => setToRemove(null)}
      >
        Lines of vendor {toRemove?.vendor} that this key signed stop being served at once: new checkouts of them are denied until the key is trusted again.
      </ConfirmDialog>
      <div className="key-form">
        <Field label="Vendor">
          <Input value={vendor} onChange={(_e, d) => setVendor(d.value)} />
        </Field>
        <Field label="Public key (PEM, the vendor's .pub file)">
          <Textarea value={publicKey} onChange={(_e, d) => setPublicKey(d.value)} rows={4} />
        </Field>
        <FileDrop testId="key-file" label="Read .pub file…" accept=".pub,.pem,text/plain" onFile={(_name, text) => setPublicKey(text)} />
        <Button onClick={() => void add()} disabled={!vendor.trim() || !publicKey.trim() || !!action.busy}>
          Trust this key
        </Button>
      </div>
    </>
  );
}
