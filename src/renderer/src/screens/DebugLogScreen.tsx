import { Button, Checkbox, Field, Input, Select, Subtitle1 } from '@fluentui/react-components';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DebugLogLine } from '../../../shared/contract';
import { formatDebugLogText } from '../../../shared/debugLogText';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { DOWNLOADS, saveTextFile } from '../components/saveTextFile';
import { useAction, useEvent, useQuery } from '../useTransport';
import { fromLocalInput, toLocalInput } from './localTime';

const maxShown = 2000;
/** The master's lines come over the peer link, not as events: a live view asks again this often. */
const masterPollMs = 3000;

export function DebugLogScreen() {
  const [daemon, setDaemon] = useState('');
  const [text, setText] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [live, setLive] = useState(true);
  const [source, setSource] = useState<'local' | 'master'>('local');
  const action = useAction();

  const args = useMemo(
    () => ({
      daemon: daemon || undefined,
      text: text || undefined,
      sinceMs: fromLocalInput(from),
      untilMs: fromLocalInput(until),
      source,
      limit: maxShown,
    }),
    [daemon, text, from, until, source],
  );
  const page = useQuery('log.query', args, JSON.stringify(args));

  useEvent('log', (line: DebugLogLine) => {
    if (!live || !page.value || source !== 'local') return;
    if (daemon && line.daemon !== daemon) return;
    if (text && !line.message.toLowerCase().includes(text.toLowerCase())) return;
    if (args.untilMs !== undefined && line.time > args.untilMs) return;
    if (page.value.lines.some((l) => l.id === line.id)) return;
    const daemons = page.value.daemons.includes(line.daemon) ? page.value.daemons : [...page.value.daemons, line.daemon].sort();
    page.set({ ...page.value, daemons, lines: [...page.value.lines, line].slice(-maxShown) });
  });

  const { reload } = page;
  useEffect(() => {
    if (!live || source !== 'master') return;
    const timer = setInterval(() => void reload(), masterPollMs);
    return () => clearInterval(timer);
  }, [live, source, reload]);

  const [exported, setExported] = useState<string | null>(null);
  const exportRange = async () => {
    setExported(null);
    const result = await action.run('log.export', { sinceMs: args.sinceMs, untilMs: args.untilMs, source, daemon: args.daemon, text: args.text });
    if (!result) return;
    saveTextFile(result.fileName, result.text);
    setExported(
      `Exported ${result.lineCount} line${result.lineCount === 1 ? '' : 's'}${source === 'master' ? " of the master's log" : ''} as ` +
        `${result.fileName} to ${DOWNLOADS}.`,
    );
  };

  // one array per page, so the scroll effect below runs when the lines change, not on every render
  const lines = useMemo(() => page.value?.lines ?? [], [page.value]);
  // live tail follows the newest line, unless the reader has scrolled up to read
  const view = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  useEffect(() => {
    if (live && following.current && view.current) view.current.scrollTop = view.current.scrollHeight;
  }, [lines, live]);
  return (
    <section aria-labelledby="log-title" className="screen">
      <Subtitle1 as="h2" id="log-title">
        Debug log
      </Subtitle1>
      {page.value?.masterKeepsLog && source === 'local' && (
        <Notice intent="info" title="This server is a standby">
          The master, {page.value.masterKeepsLog.master}, logs the licenses; this server's log shows its own quorum events.{' '}
          <Button size="small" onClick={() => setSource('master')}>
            Show the master's log
          </Button>
        </Notice>
      )}
      {source === 'master' && (
        <Notice intent="info">
          Showing the master's log.{' '}
          <Button size="small" onClick={() => setSource('local')}>
            Show this server's log
          </Button>
        </Notice>
      )}
      <div className="filters">
        <Field label="Daemon">
          <Select value={daemon} onChange={(_e, d) => setDaemon(d.value)}>
            <option value="">All daemons</option>
            {(page.value?.daemons ?? []).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Text">
          <Input value={text} onChange={(_e, d) => setText(d.value)} placeholder="e.g. DENIED" />
        </Field>
        <Field label="From">
          <Input type="datetime-local" value={from} onChange={(_e, d) => setFrom(d.value)} step={1} />
        </Field>
        <Field label="Until">
          <Input type="datetime-local" value={until} onChange={(_e, d) => setUntil(d.value)} step={1} />
        </Field>
      </div>
      <div className="button-row" role="group" aria-label="Debug log actions">
        <Checkbox checked={live} onChange={(_e, d) => setLive(!!d.checked)} label="Live tail" />
        <Button onClick={() => void exportRange()} disabled={!!action.busy}>
          Export to file…
        </Button>
        <Button
          onClick={() => {
            setFrom(toLocalInput(Date.now() - 3_600_000));
            setUntil('');
          }}
        >
          Last hour
        </Button>
        {action.busy && <Loading label="Exporting…" />}
      </div>
      {exported && (
        <Notice intent="success" role="status">
          {exported}
        </Notice>
      )}
      <ErrorBar error={page.error ?? action.error} onRetry={() => void page.reload()} />
      {page.state === 'loading' && !page.value && <Loading label="Reading the debug log…" />}
      {page.value && lines.length === 0 && <Empty>No log lines match.</Empty>}
      {lines.length > 0 && (
        <pre
          className="log"
          role="log"
          aria-label="Debug log lines"
          tabIndex={0}
          data-testid="log-lines"
          ref={view}
          onScroll={(e) => {
            const pre = e.currentTarget;
            following.current = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
          }}
        >
          {/* with lmgrd's TIMESTAMP line at each new day, as in the exported file */}
          {formatDebugLogText(lines).trimEnd()}
        </pre>
      )}
    </section>
  );
}
