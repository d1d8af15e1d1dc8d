import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { LicenseCheckReport, ReplaceServerResult, TriadMembership } from '../../../shared/contract';
import { describeMachine } from '../../../shared/triadReplacement';
import { useAction, useQuery } from '../useTransport';
import { Breakable } from './Breakable';
import { CheckReport, untrustedVendors } from './CheckReport';
import { DangerButton } from './DangerButton';
import { ErrorBar, Loading, Notice } from './feedback';
import { FileDrop } from './FileDrop';
import { ReplacementSteps } from './ReplacementSteps';
import { useReturnFocus } from './useReturnFocus';

/** The new license: a file chosen here (sent with the request), or the files in the license folder (`license` null). */
interface Candidate {
  label: string;
  license: { fileName: string; text: string } | null;
  report: LicenseCheckReport;
}

/**
 * "Replace a server": one of the three machines is replaced by a new one. The administrator
 * chooses the license file that names the new machine in place of the old one, sees which member
 * is replaced by which, and confirms; this server then does what `triad replace-server` does and
 * starts again, and the dialog lists what is left to do on the other two.
 */
export function ReplaceServerDialog(props: {
  open: boolean;
  /** A file the License files screen holds already (its import was refused as a change of members). */
  initial?: { fileName: string; text: string } | null;
  onClose: () => void;
  onReplaced: (result: ReplaceServerResult) => void;
}) {
  useReturnFocus(props.open);
  return (
    <Dialog open={props.open} onOpenChange={(_e, data) => !data.open && props.onClose()} modalType="modal">
      <DialogSurface aria-describedby={undefined} className="replace-server-dialog">
        {/* mounted while open only: every opening starts from the choice of a file */}
        {props.open && <ReplaceServerForm initial={props.initial ?? null} onClose={props.onClose} onReplaced={props.onReplaced} />}
      </DialogSurface>
    </Dialog>
  );
}

function ReplaceServerForm(props: {
  initial: { fileName: string; text: string } | null;
  onClose: () => void;
  onReplaced: (result: ReplaceServerResult) => void;
}) {
  const { initial, onClose, onReplaced } = props;
  const action = useAction();
  const served = useQuery('license.list', {});
  const [candidate, setCandidate] = useState<Candidate | null>(null);
  const [result, setResult] = useState<ReplaceServerResult | null>(null);

  /** `served`: a file of the license folder, checked among the others there as the server would serve them. */
  const check = async (fileName: string, text: string, served = false) => {
    setCandidate(null);
    const report = await action.run('license.check', { fileName, text, replace: true, ...(served ? { add: true } : {}) });
    if (report) setCandidate({ label: fileName, license: served ? null : { fileName, text }, report });
  };
  // the file handed over from the License files screen is checked when the dialog opens
  const checkedInitial = useRef(false);
  useEffect(() => {
    if (!initial || checkedInitial.current) return;
    checkedInitial.current = true;
    void check(initial.fileName, initial.text);
  });

  // a file already in the license folder that names a new member (copied there by hand): the server refuses to start with it
  const servedReplacing = (served.value?.files ?? []).find((file) => file.report.membership?.change === 'replace-one');

  const replace = async () => {
    if (!candidate) return;
    const done = await action.run('triad.replaceServer', candidate.license ? { license: candidate.license } : {});
    if (done) {
      setResult(done);
      onReplaced(done);
    }
  };

  const membership = candidate?.report.membership ?? null;
  const untrusted = candidate ? untrustedVendors(candidate.report) : [];
  const replaced = membership?.change === 'replace-one' ? membership.lines.find((line) => line.changed) : undefined;
  const ready = candidate !== null && replaced !== undefined && candidate.report.errors.length === 0 && untrusted.length === 0;

  return (
    <DialogBody>
      <DialogTitle>Replace a server</DialogTitle>
      <DialogContent className="replace-server">
        <ErrorBar error={action.error} onDismiss={action.clearError} />
        {result ? (
          <>
            <Notice intent="success" role="status">
              This server accepted the new member and started again.
            </Notice>
            <Text as="p" data-testid="replace-result">
              {result.message} {result.outcome.message}
            </Text>
            <Text weight="semibold">Still to do on the other servers</Text>
            <ReplacementSteps steps={result.steps} />
            <Text size={200}>The Server status screen keeps this list, ticked as the servers do it, until the triad is whole again.</Text>
          </>
        ) : (
          <>
            <Text as="p">
              When one of the three machines is replaced by a new one, choose the license file whose SERVER lines name the new machine in place of the
              old one, the other two unchanged and in the same order. This server stops, records the new member, serves the file and starts again, keeping
              its seats and log. Then do the same on the other server that stays, and start the new machine with the file and an empty data folder.
            </Text>
            <FileDrop
              testId="replace-license"
              label="Choose the new license file…"
              accept=".lic,.dat,.txt,text/plain"
              onFile={(name, text) => void check(name, text)}
            />
            {servedReplacing && !candidate && (
              <Button onClick={() => void check(servedReplacing.fileName, servedReplacing.text, true)}>
                Use {servedReplacing.fileName}, in the license folder already
              </Button>
            )}
            {action.busy === 'license.check' && <Loading label="Checking the file…" />}
            {action.busy === 'triad.replaceServer' && <Loading label="Stopping this server, recording the new member and starting again…" />}
            {candidate && <CandidateVerdict candidate={candidate} membership={membership} untrusted={untrusted} />}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {result ? (
          <Button appearance="primary" onClick={onClose}>
            Close
          </Button>
        ) : (
          <>
            <Button appearance="secondary" onClick={onClose}>
              Cancel
            </Button>
            <DangerButton solid onClick={() => void replace()} disabled={!ready || !!action.busy}>
              {replaced ? `Replace ${machineName(replaced.recorded)} by ${machineName(replaced.now)}` : 'Replace'}
            </DangerButton>
          </>
        )}
      </DialogActions>
    </DialogBody>
  );
}

function machineName(machine: { host: string | null; hostid: string } | null): string {
  return machine === null ? 'none' : (machine.host ?? `host id ${machine.hostid}`);
}

/** Which member the file replaces by which, or why it cannot replace one, with how to fix that. */
function CandidateVerdict({ candidate, membership, untrusted }: { candidate: Candidate; membership: TriadMembership | null; untrusted: string[] }) {
  const { report } = candidate;
  return (
    <div className="candidate" data-testid="replace-verdict">
      {membership && <MemberLines membership={membership} />}
      {membership?.change === 'replace-one' && report.errors.length === 0 && untrusted.length === 0 && <Text>{membership.summary}</Text>}
      {membership?.change === 'other' && (
        <Notice intent="warning" title="Not one server replaced">
          {membership.summary}
        </Notice>
      )}
      {!membership && (
        <Notice intent="warning" title="Nothing to replace">
          {report.servers.length === 3
            ? `${candidate.label} names the three machines this triad was formed with (or this server never ran as a member of a triad): import it on ` +
              'the License files screen instead.'
            : `${candidate.label} has ${report.servers.length} SERVER line(s); a triad needs three. Choose the triad's license file, with the new ` +
              "machine's SERVER line in place of the old one."}
        </Notice>
      )}
      {untrusted.length > 0 && (
        <Notice intent="warning" title="Vendor key not trusted">
          No trusted key of {untrusted.join(', ')} verifies the file's lines, so the triad would not serve them. Add the vendor's public key under Trusted
          vendor keys on the License files screen, then choose the file again.
        </Notice>
      )}
      {report.errors.length > 0 && (
        <Notice intent="warning" title="The file has errors">
          Fix the lines below and choose the file again; nothing is replaced meanwhile.
        </Notice>
      )}
      {(report.errors.length > 0 || report.warnings.length > 0) && <CheckReport report={report} />}
    </div>
  );
}

function MemberLines({ membership }: { membership: TriadMembership }) {
  return (
    <Table aria-label="SERVER lines: the triad's members and the file's" size="small" className="fit-table" data-testid="member-lines">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>SERVER line</TableHeaderCell>
          <TableHeaderCell>Member now</TableHeaderCell>
          <TableHeaderCell>In the file</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {membership.lines.map((line) => (
          <TableRow key={line.position} data-testid={`member-line-${line.position}`} className={line.changed ? 'changed' : undefined}>
            <TableCell>
              {line.position} ({line.rank})
            </TableCell>
            <TableCell>{line.recorded ? <Breakable text={describeMachine(line.recorded)} /> : 'none'}</TableCell>
            <TableCell>
              {line.changed ? (
                <strong>
                  <Breakable text={`${describeMachine(line.now)} (new)`} />
                </strong>
              ) : (
                'unchanged'
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
