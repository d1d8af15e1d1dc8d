import {
  Button,
  Checkbox,
  Field,
  Input,
  Radio,
  RadioGroup,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { LicenseCheckReport, LicenseFileInfo } from '../../../shared/contract';
import { ActionsHeaderCell } from '../components/ActionsHeaderCell';
import { Breakable } from '../components/Breakable';
import { CheckReport, untrustedVendors } from '../components/CheckReport';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DangerButton } from '../components/DangerButton';
import { seatsAtRisk } from '../components/seatsAtRisk';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { FileDrop } from '../components/FileDrop';
import { ReplaceServerDialog } from '../components/ReplaceServerDialog';
import { useServerStatus } from '../useServerStatus';
import { useAction, useEvent, useQuery } from '../useTransport';

interface Candidate {
  fileName: string;
  text: string;
  add: boolean;
  report: LicenseCheckReport;
}

/** Monospace: license lines are columns of fields, and a SIGN= must be read character by character. */
const monospace = { fontFamily: 'Consolas, "Cascadia Mono", "Courier New", monospace', fontSize: '12px', whiteSpace: 'pre' as const };

export function LicenseScreen() {
  const files = useQuery('license.list', {});
  const action = useAction();
  const [candidate, setCandidate] = useState<Candidate | null>(null);
  const [outcome, setOutcome] = useState<{ served: boolean; message: string } | null>(null);
  const [distribute, setDistribute] = useState(true);
  const [add, setAdd] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const [toRemove, setToRemove] = useState<LicenseFileInfo | null>(null);
  const [confirmRisk, setConfirmRisk] = useState(false);
  const [trustVendor, setTrustVendor] = useState<{ vendor: string } | null>(null);
  // "Replace a server": open, with the file the import refused as a change of members when there is one
  const [replacing, setReplacing] = useState<{ initial: { fileName: string; text: string } | null } | null>(null);
  useEvent('license', () => void files.reload());
  // only to offer distribution on a triad; the Server status screen shows status errors
  const status = useServerStatus();
  const triadRole = status.value?.mode === 'triad' && status.value.role !== 'stopped' ? status.value.role : null;
  const distributing = triadRole === 'master' && distribute;

  const check = async (fileName: string, text: string) => {
    setOutcome(null);
    setCandidate(null);
    const report = await action.run('license.check', { fileName, text, add });
    if (report) setCandidate({ fileName, text, add, report });
  };

  const importIt = async () => {
    setConfirmRisk(false);
    if (!candidate) return;
    const args = { fileName: candidate.fileName, text: candidate.text, add: candidate.add };
    const result = await action.run('license.import', distributing ? { ...args, distribute: true } : args);
    if (!result) return;
    if (result.imported) {
      setCandidate(null);
      // what the server does now, not what was asked: a file can be imported and still not served
      const served = !result.outcome || ['served', 'standby', 'catching-up'].includes(result.outcome.state);
      const message = [
        result.outcome?.message ?? `Imported ${candidate.fileName}.`,
        result.savedAs && result.savedAs !== candidate.fileName ? `It is saved as ${result.savedAs}.` : '',
        result.distributed ? 'All three redundant servers switched to it.' : '',
      ];
      setOutcome({ served, message: message.filter(Boolean).join(' ') });
      setShown(result.savedAs ?? null);
      void files.reload();
    } else {
      setCandidate({ ...candidate, report: result.report });
    }
  };

  const remove = async () => {
    const file = toRemove;
    setToRemove(null);
    if (!file) return;
    setOutcome(null);
    const next = await action.run('license.remove', distributing ? { fileName: file.fileName, distribute: true } : { fileName: file.fileName });
    if (next) {
      files.set(next);
      setOutcome({
        served: true,
        message: `Removed ${file.fileName}${distributing ? ' from all three redundant servers' : ''}: its features are no longer served.`,
      });
    }
  };

  const hasErrors = (candidate?.report.errors.length ?? 0) > 0;
  const atRisk = candidate && !hasErrors ? seatsAtRisk(candidate.report, status.value?.features ?? []) : [];
  const untrusted = candidate ? untrustedVendors(candidate.report) : [];
  const list = files.value?.files ?? [];
  const current = list.find((f) => f.fileName === shown) ?? list[0] ?? null;
  const servedUntrusted = [...new Set(list.flatMap((f) => untrustedVendors(f.report)))].sort();
  return (
    <section aria-labelledby="license-title" className="screen">
      <Subtitle1 as="h2" id="license-title">
        License files
      </Subtitle1>
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {outcome && (
        <Notice intent={outcome.served ? 'success' : 'warning'} role="status">
          {outcome.message}
        </Notice>
      )}

      <Subtitle2 as="h3">Served now</Subtitle2>
      {files.state === 'loading' && !files.value && <Loading label="Reading the license files…" />}
      <ErrorBar error={files.error} onRetry={() => void files.reload()} />
      {files.value && list.length === 0 && <Empty>No license file yet. Import one below.</Empty>}
      {files.value && list.length > 0 && (
        <>
          <Text size={200}>
            The server serves every license file (*.lic) in <Breakable text={files.value.location} />, as lmgrd does with a license folder.
          </Text>
          <Table aria-label="License files" size="small" className="fit-table" data-testid="license-files">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>File</TableHeaderCell>
                <TableHeaderCell>Features</TableHeaderCell>
                <TableHeaderCell>Check</TableHeaderCell>
                <TableHeaderCell>Changed</TableHeaderCell>
                <ActionsHeaderCell />
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((f) => (
                <TableRow key={f.fileName} data-testid={`license-file-${f.fileName}`} aria-selected={f === current}>
                  <TableCell>
                    <Breakable text={f.fileName} />
                  </TableCell>
                  <TableCell>{f.report.features.length}</TableCell>
                  <TableCell>{fileVerdict(f.report)}</TableCell>
                  <TableCell>{new Date(f.modifiedAt).toLocaleString()}</TableCell>
                  <TableCell>
                    <div className="button-row">
                      <Button size="small" onClick={() => setShown(f.fileName)} aria-label={`Show ${f.fileName}`} disabled={f === current}>
                        Show
                      </Button>
                      <DangerButton
                        size="small"
                        onClick={() => setToRemove(f)}
                        aria-label={`Remove ${f.fileName}`}
                        disabled={list.length === 1 || !!action.busy}
                      >
                        Remove
                      </DangerButton>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {servedUntrusted.length > 0 && (
            <Notice intent="warning" title="Not served: vendor key not trusted" testId="served-untrusted">
              Lines of {servedUntrusted.join(', ')} in these files are not served: no trusted key of the vendor verifies them. Add the vendor's public key under
              Trusted vendor keys below.{' '}
              <Button size="small" onClick={() => setTrustVendor({ vendor: servedUntrusted[0]! })}>
                Trust {servedUntrusted[0]}'s key…
              </Button>
            </Notice>
          )}
          {current && (
            <>
              <Text as="p" size={200} data-testid="current-license-path">
                <Breakable text={current.path} /> · sha256 {current.hash.slice(0, 12)}…
              </Text>
              {current.report.errors.length + current.report.warnings.length > 0 && <CheckReport report={current.report} />}
              <Textarea
                readOnly
                value={current.text}
                resize="vertical"
                rows={12}
                className="license-text"
                textarea={{ style: monospace }}
                aria-label={`Text of ${current.fileName}`}
                data-testid="current-license-text"
              />
            </>
          )}
        </>
      )}

      <Subtitle2 as="h3">Import a license file</Subtitle2>
      <RadioGroup value={add ? 'add' : 'replace'} onChange={(_e, d) => setAdd(d.value === 'add')} aria-label="How to import">
        <Radio value="replace" label="In place of the current files" />
        <Radio value="add" label="Beside the current files (e.g. term keys next to permanent keys)" />
      </RadioGroup>
      <FileDrop testId="license-file" label="Choose license file…" accept=".lic,.dat,.txt,.upd,text/plain" onFile={(name, text) => void check(name, text)} />
      {status.value?.mode === 'triad' && (
        <Text as="p">
          One of the three machines replaced by a new one?{' '}
          <Button size="small" onClick={() => setReplacing({ initial: null })} disabled={!!action.busy}>
            Replace a server…
          </Button>
        </Text>
      )}
      {action.busy === 'license.check' && <Loading label="Checking the file…" />}
      {action.busy === 'license.import' && <Loading label={distributing ? 'Distributing to the three redundant servers…' : 'Importing and rereading…'} />}
      {candidate && (
        <div className="candidate">
          {hasErrors ? (
            candidate.report.membership?.change === 'replace-one' ? (
              <Notice intent="warning" title="Not imported: a new member">
                {candidate.fileName} names a new machine in place of one of this triad's members; an import never changes the members.{' '}
                {candidate.report.membership.summary}{' '}
                <Button size="small" onClick={() => setReplacing({ initial: { fileName: candidate.fileName, text: candidate.text } })}>
                  Replace a server with this file…
                </Button>
              </Notice>
            ) : (
              <Notice intent="warning" title="Not imported">
                {candidate.fileName} has errors; the current license files are kept. Fix the lines below and choose the file again.
              </Notice>
            )
          ) : (
            <>
              {atRisk.length > 0 && (
                <Notice intent="warning" title="Seats in use would be lost">
                  {candidate.fileName} serves fewer seats than are in use now:{' '}
                  {atRisk.map((r) => `${r.name} (${r.inUse} in use, ${r.newSeats === 0 ? 'not in the file' : `${r.newSeats} in the file`})`).join(', ')}. Their
                  users lose them when you import it.
                </Notice>
              )}
              {untrusted.length > 0 && (
                <Notice intent="warning" title="Not served: vendor key not trusted">
                  No trusted key of {untrusted.join(', ')} verifies its lines, so they would not be served. Add the vendor's public key under Trusted vendor
                  keys below.{' '}
                  <Button size="small" onClick={() => setTrustVendor({ vendor: untrusted[0]! })}>
                    Trust {untrusted[0]}'s key…
                  </Button>
                </Notice>
              )}
              <Text>
                {untrusted.length > 0
                  ? `${candidate.fileName} has no errors, but ${candidate.report.features.filter((f) => f.signature !== 'valid').length} of its ` +
                    `${candidate.report.features.length} feature lines would not be served.`
                  : `${candidate.fileName} has no errors.`}
              </Text>
              {triadRole === 'master' && (
                <Checkbox
                  label="Distribute to all three redundant servers, which switch to it together"
                  checked={distribute}
                  onChange={(_, data) => setDistribute(data.checked === true)}
                />
              )}
              {triadRole !== null && triadRole !== 'master' && (
                <Text>
                  To switch all three servers together, import this file on the master{status.value?.master ? ` (${status.value.master})` : ''}. Imported here
                  only, this server stays out of the quorum until the other two serve the same files.
                </Text>
              )}
              <div className="button-row">
                {atRisk.length > 0 ? (
                  <DangerButton onClick={() => setConfirmRisk(true)} disabled={!!action.busy}>
                    {candidate.add ? 'Add beside the current files' : 'Import and replace the current file'}
                  </DangerButton>
                ) : (
                  <Button appearance="primary" onClick={() => void importIt()} disabled={!!action.busy}>
                    {candidate.add ? 'Add beside the current files' : 'Import and replace the current file'}
                  </Button>
                )}
                <Button onClick={() => setCandidate(null)}>Cancel</Button>
              </div>
            </>
          )}
          <CheckReport report={candidate.report} />
        </div>
      )}
      <ReplaceServerDialog
        open={replacing !== null}
        initial={replacing?.initial}
        onClose={() => setReplacing(null)}
        onReplaced={() => {
          setCandidate(null);
          void files.reload();
          void status.reload();
        }}
      />
      <TrustedKeys vendorToTrust={trustVendor} onTrusted={() => candidate && void check(candidate.fileName, candidate.text)} />
      <ConfirmDialog
        open={confirmRisk}
        title="Take seats away from their users?"
        confirmLabel="Import anyway"
        onConfirm={() => void importIt()}
        onCancel={() => setConfirmRisk(false)}
      >
        {`${atRisk.map((r) => `${r.name}: ${r.inUse} in use, ${r.newSeats} in ${candidate?.fileName ?? 'the file'}`).join('; ')}. Users beyond the ` +
          `new count lose their licenses when the server rereads.`}
      </ConfirmDialog>
      <ConfirmDialog
        open={toRemove !== null}
        title={`Remove ${toRemove?.fileName ?? ''}?`}
        confirmLabel="Remove"
        onConfirm={() => void remove()}
        onCancel={() => setToRemove(null)}
      >
        {`Its features (${toRemove?.report.features.map((f) => f.name).join(', ') || 'none'}) stop being served at ` +
          `once${distributing ? ' on all three redundant servers' : ''}; users holding them lose them.`}
      </ConfirmDialog>
    </section>
  );
}

/** One word for a file's check: ok, or how many errors and warnings (and unserved lines). */
function fileVerdict(report: LicenseCheckReport): string {
  const untrusted = report.features.filter((f) => f.signature === 'unverified').length;
  const parts = [
    report.errors.length > 0 ? `${report.errors.length} error${report.errors.length === 1 ? '' : 's'}` : null,
    report.warnings.length > 0 ? `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}` : null,
    untrusted > 0 ? `${untrusted} not served: vendor key not trusted` : null,
  ].filter(Boolean);
  return parts.length === 0 ? 'ok' : parts.join(', ');
}

function TrustedKeys({ vendorToTrust, onTrusted }: { vendorToTrust: { vendor: string } | null; onTrusted: () => void }) {
  const keys = useQuery('keys.list', {});
  const action = useAction();
  const [vendor, setVendor] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const vendorInput = useRef<HTMLInputElement>(null);
  // "Trust X's key…" from the import: the form below, filled in with the vendor, gets the focus
  useEffect(() => {
    if (!vendorToTrust) return;
    setVendor(vendorToTrust.vendor);
    vendorInput.current?.scrollIntoView?.({ block: 'center' });
    vendorInput.current?.focus();
  }, [vendorToTrust]);

  const add = async () => {
    const next = await action.run('keys.add', { vendor, publicKey });
    if (next) {
      keys.set(next);
      setVendor('');
      setPublicKey('');
      onTrusted();
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
      <Subtitle2 as="h3" id="trusted-keys">
        Trusted vendor keys
      </Subtitle2>
      <Text as="p">The server serves a feature only when its SIGN= verifies against a trusted key of its vendor.</Text>
      <ErrorBar error={keys.error ?? action.error} onRetry={() => void keys.reload()} />
      {keys.state === 'loading' && !keys.value && <Loading label="Loading keys…" />}
      {keys.value && keys.value.length === 0 && <Empty>No trusted keys: no signed feature is served. Add the vendor's public key (.pub) below.</Empty>}
      {keys.value && keys.value.length > 0 && (
        <Table aria-label="Trusted vendor keys" size="small" className="fit-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Vendor</TableHeaderCell>
              <TableHeaderCell>Fingerprint</TableHeaderCell>
              <TableHeaderCell>Added</TableHeaderCell>
              <ActionsHeaderCell />
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
                  <DangerButton
                    size="small"
                    onClick={() => setToRemove({ vendor: k.vendor, fingerprint: k.fingerprint })}
                    aria-label={`Remove key ${k.fingerprint} of ${k.vendor}`}
                  >
                    Remove
                  </DangerButton>
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
          <Input value={vendor} onChange={(_e, d) => setVendor(d.value)} input={{ ref: vendorInput }} data-testid="key-vendor" />
        </Field>
        <Field label="Public key (PEM, the vendor's .pub file)">
          <Textarea value={publicKey} onChange={(_e, d) => setPublicKey(d.value)} rows={4} textarea={{ style: monospace }} />
        </Field>
        <FileDrop testId="key-file" label="Read .pub file…" accept=".pub,.pem,text/plain" onFile={(_name, text) => setPublicKey(text)} />
        <Button onClick={() => void add()} disabled={!vendor.trim() || !publicKey.trim() || !!action.busy}>
          Trust this key
        </Button>
      </div>
    </>
  );
}
