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
  Title2,
  Title3,
  Toolbar,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import {
  applyRetentionPatch,
  logTitles,
  type LogName,
  type LogTableState,
  type LogsOverview,
  type RetentionIssue,
  type RetentionSettings,
} from '../../../shared/logRetention';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { useAction, useQuery } from '../useTransport';

/**
 * Settings: how long the debug log and the report log are kept (lmadmin's log rotation
 * settings), where rotated rows are archived, when the disk is a worry; and rotating a log now
 * (lmswitch / lmswitchr). A running server applies saved settings at once.
 */

/** The form: numbers as typed (an empty field is not 0 until the person says so). */
interface Draft {
  debugDays: string;
  debugMb: string;
  reportDays: string;
  reportMb: string;
  archive: boolean;
  folder: string;
  archiveMb: string;
  warnMb: string;
  reserveMb: string;
}

const toDraft = (s: RetentionSettings): Draft => ({
  debugDays: String(s.debugLog.maxAgeDays),
  debugMb: String(s.debugLog.maxMegabytes),
  reportDays: String(s.reportLog.maxAgeDays),
  reportMb: String(s.reportLog.maxMegabytes),
  archive: s.archive.enabled,
  folder: s.archive.folder ?? '',
  archiveMb: String(s.archive.maxMegabytes),
  warnMb: String(s.disk.warnBelowMegabytes),
  reserveMb: String(s.disk.refuseGrantsBelowMegabytes),
});

const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

const fromDraft = (d: Draft) => ({
  debugLog: { maxAgeDays: number(d.debugDays), maxMegabytes: number(d.debugMb) },
  reportLog: { maxAgeDays: number(d.reportDays), maxMegabytes: number(d.reportMb) },
  archive: { enabled: d.archive, folder: d.folder.trim() === '' ? null : d.folder, maxMegabytes: number(d.archiveMb) },
  disk: { warnBelowMegabytes: number(d.warnMb), refuseGrantsBelowMegabytes: number(d.reserveMb) },
});

/** The two logs' parts of the form: the same fields, each log's own. */
const logSections = [
  { title: 'Debug log', rows: 'lines', state: 'debugLog', days: 'debugDays', megabytes: 'debugMb', path: 'debugLog' },
  { title: 'Report log', rows: 'rows', state: 'reportLog', days: 'reportDays', megabytes: 'reportMb', path: 'reportLog' },
] as const;

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const localTime = (ms: number) => new Date(ms).toLocaleString();

export function SettingsScreen() {
  const logs = useQuery('logs.get', {});
  const action = useAction();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [confirm, setConfirm] = useState<LogName | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const overview = logs.value;
  useEffect(() => {
    if (overview && draft === null) setDraft(toDraft(overview.settings));
  }, [overview, draft]);

  const checked = overview && draft ? applyRetentionPatch(overview.settings, fromDraft(draft)) : null;
  const defaultFolder = overview?.settings.archive.folder === null ? overview.archiveFolder : 'archive in the data folder';
  const issues: RetentionIssue[] = checked && !checked.ok ? checked.issues : [];
  const issueOf = (path: string) => issues.find((issue) => issue.path === path)?.message;
  const changed = overview && draft ? JSON.stringify(toDraft(overview.settings)) !== JSON.stringify(draft) : false;
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const save = async () => {
    if (!draft) return;
    setDone(null);
    const next = await action.run('logs.configure', fromDraft(draft));
    if (next) {
      logs.set(next);
      setDraft(toDraft(next.settings));
      setDone('Saved.' + (next.running ? ' The server applies the new settings now.' : ' The server applies them when it starts.'));
    }
  };

  const rotate = async () => {
    const log = confirm;
    setConfirm(null);
    if (!log) return;
    setDone(null);
    const result = await action.run('logs.rotate', { log });
    if (result) {
      logs.set(result.overview);
      setDone(result.message);
    }
  };

  const numberField = (label: string, key: keyof Draft, path: string, hint: string) => (
    <Field label={label} hint={hint} validationMessage={issueOf(path)}>
      <Input type="number" min={0} value={String(draft![key])} onChange={(_e, d) => set({ [key]: d.value })} />
    </Field>
  );

  return (
    <section aria-labelledby="settings-title" className="screen">
      <Title2 as="h2" id="settings-title">
        Settings
      </Title2>
      <ErrorBar error={logs.error} onRetry={() => void logs.reload()} />
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {done && <Notice intent="success">{done}</Notice>}
      {!overview && logs.state === 'loading' && <Loading label="Reading the log settings…" />}
      {overview && draft && (
        <>
          {!overview.running && <Notice intent="info">The license server is stopped: settings are saved, and logs are rotated once it runs.</Notice>}
          {overview.problem && (
            <Notice intent="warning" title="Log rotation">
              {overview.problem}
            </Notice>
          )}

          {logSections.map(({ title, rows, state, days, megabytes: mb, path }) => (
            <section key={path} aria-label={title} className="screen">
              <Title3 as="h3">{title}</Title3>
              <LogSummary state={overview[state]} />
              <div className="row">
                {numberField(`Keep ${rows} for (days)`, days, `${path}.maxAgeDays`, '0: whatever their age')}
                {numberField('Keep at most (MB)', mb, `${path}.maxMegabytes`, '0: whatever its size')}
              </div>
            </section>
          ))}

          <Title3 as="h3">Archives</Title3>
          <Checkbox
            checked={draft.archive}
            onChange={(_e, d) => set({ archive: !!d.checked })}
            label="Write rotated rows to archive files (debug log as FlexLM text, report log as CSV, gzip-compressed) before they leave the database"
          />
          <div className="row">
            <Field
              label="Archive folder"
              hint={`Empty: ${defaultFolder}. A relative folder is inside the data folder.`}
              validationMessage={issueOf('archive.folder')}
            >
              <Input value={draft.folder} onChange={(_e, d) => set({ folder: d.value })} className="wide" />
            </Field>
            {numberField('Keep archives up to (MB in all)', 'archiveMb', 'archive.maxMegabytes', '0: keep every file; beyond, the oldest are deleted')}
          </div>
          <ArchiveList overview={overview} />

          <Title3 as="h3">Disk</Title3>
          <DiskSummary overview={overview} />
          <div className="row">
            {numberField('Warn below (MB free)', 'warnMb', 'disk.warnBelowMegabytes', 'Debug log, status banner, /metrics; 0: never')}
            {numberField(
              'Refuse new licenses below (MB free)',
              'reserveMb',
              'disk.refuseGrantsBelowMegabytes',
              'Keeps room for check-ins; 0: only when a write fails',
            )}
          </div>

          <Toolbar aria-label="Settings actions">
            <Button appearance="primary" disabled={!changed || issues.length > 0 || !!action.busy} onClick={() => void save()}>
              Save
            </Button>
            <Button disabled={!changed || !!action.busy} onClick={() => setDraft(toDraft(overview.settings))}>
              Undo changes
            </Button>
            <Button disabled={!overview.running || !!action.busy} onClick={() => setConfirm('debug')}>
              Rotate debug log now (lmswitch)
            </Button>
            <Button disabled={!overview.running || !!action.busy} onClick={() => setConfirm('report')}>
              Rotate report log now (lmswitchr)
            </Button>
            {action.busy && <Loading label="Working…" />}
          </Toolbar>
          <Rotations overview={overview} />
          <ConfirmDialog
            open={confirm !== null}
            title={`Rotate the ${confirm ? logTitles[confirm] : ''} now?`}
            confirmLabel="Rotate"
            onConfirm={() => void rotate()}
            onCancel={() => setConfirm(null)}
          >
            Every {confirm === 'debug' ? 'line' : 'row'} so far goes into one archive file in {overview.archiveFolder} and leaves the database
            {confirm === 'report' ? '; the Usage screen then shows activity from now on' : '; the Debug log screen then starts from now'}.
          </ConfirmDialog>
        </>
      )}
    </section>
  );
}

function LogSummary({ state }: { state: LogTableState }) {
  if (state.rows === 0) return <Text>Empty.</Text>;
  const rotated = state.rotatedThroughMs === null ? '' : ` Rows up to ${localTime(state.rotatedThroughMs)} were rotated out.`;
  return (
    <Text>
      {state.rows.toLocaleString()} rows, about {megabytes(state.estimatedBytes)}, from {localTime(state.oldestMs!)} to {localTime(state.newestMs!)}.{rotated}
    </Text>
  );
}

function DiskSummary({ overview }: { overview: LogsOverview }) {
  const { disk } = overview;
  if (!disk) return <Text>{overview.running ? 'Not measured yet.' : 'Measured while the server runs.'}</Text>;
  return (
    <Text>
      {megabytes(disk.freeBytes)} free of {megabytes(disk.totalBytes)} for {disk.folder}
      {disk.reusableBytes > 0 ? `, plus ${megabytes(disk.reusableBytes)} of free pages in the database` : ''}.{disk.message ? ` ${disk.message}` : ''}
    </Text>
  );
}

function ArchiveList({ overview }: { overview: LogsOverview }) {
  const { archives } = overview;
  if (archives.count === 0) return <Empty>No archive files yet in {overview.archiveFolder}.</Empty>;
  return (
    <>
      <Text>
        {archives.count} archive file{archives.count === 1 ? '' : 's'}, {megabytes(archives.totalBytes)} in {overview.archiveFolder}
        {archives.count > archives.newest.length ? ` (the newest ${archives.newest.length} below)` : ''}.
      </Text>
      <Table aria-label="Archive files" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>File</TableHeaderCell>
            <TableHeaderCell>From</TableHeaderCell>
            <TableHeaderCell>To</TableHeaderCell>
            <TableHeaderCell>Size</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {archives.newest.map((file) => (
            <TableRow key={file.name}>
              <TableCell>{file.name}</TableCell>
              <TableCell>{localTime(file.fromMs)}</TableCell>
              <TableCell>{localTime(file.toMs)}</TableCell>
              <TableCell>{megabytes(file.bytes)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

function Rotations({ overview }: { overview: LogsOverview }) {
  if (overview.rotations.length === 0) return null;
  const why = { age: 'older than the limit', size: 'over the size limit', manual: 'on request' } as const;
  return (
    <>
      <Title3 as="h3">Recent rotations</Title3>
      <Text>The longest pause rotation caused the server so far: {overview.longestStepMs} ms.</Text>
      <Table aria-label="Recent rotations" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>Log</TableHeaderCell>
            <TableHeaderCell>Rows</TableHeaderCell>
            <TableHeaderCell>Why</TableHeaderCell>
            <TableHeaderCell>Archive</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {overview.rotations.map((r) => (
            <TableRow key={`${r.log}-${r.atMs}-${r.file ?? ''}`}>
              <TableCell>{localTime(r.atMs)}</TableCell>
              <TableCell>{logTitles[r.log]}</TableCell>
              <TableCell>{r.rows.toLocaleString()}</TableCell>
              <TableCell>{why[r.reason]}</TableCell>
              <TableCell>{r.file ?? 'dropped (archives off)'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
