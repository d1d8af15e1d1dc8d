import { Button, Checkbox, Subtitle1, Text } from '@fluentui/react-components';
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ClientConfig, ClientEntry, ClientEntryType, ClientHost, VerifyResult } from '../../../shared/contract';
import { AddServerDialog } from '../components/AddServerDialog';
import { Breakable } from '../components/Breakable';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DangerButton } from '../components/DangerButton';
import { describeEntry } from '../components/describeEntry';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { LicensePathImportExport } from '../components/LicensePathImportExport';
import { SettingsBox } from '../components/SettingsBox';
import { VerifyTable } from '../components/VerifyTable';
import { useAction, useEvent, useQuery } from '../useTransport';

/** An entry taken out of the list, and where it was, so Undo puts it back. */
interface Removed {
  entry: ClientEntry;
  index: number;
}

/** The IBM Rational License Key Administrator's Client/Server Configuration dialog. */
export function ClientConfigScreen() {
  const config = useQuery('client.get', {});
  const action = useAction();
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [verify, setVerify] = useState<VerifyResult[] | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<ClientEntry | null>(null);
  const [removed, setRemoved] = useState<Removed | null>(null);
  useEvent('clientConfig', config.set);

  const apply = async (next: Promise<ClientConfig | null>) => {
    const value = await next;
    if (value) config.set(value);
    return value;
  };

  const entries = config.value?.entries ?? [];
  const inUse = config.value?.useLicenseServer ?? false;
  const selected = entries.find((e) => e.id === selectedId) ?? null;
  // a Verify table or an exported value of an older list would mislead: they go when it changes
  const listKey = JSON.stringify(entries);
  useEffect(() => setVerify(null), [listKey]);

  const add = async (type: ClientEntryType, hosts: ClientHost[]) => {
    setAdding(false);
    const before = new Set(entries.map((e) => e.id));
    const next = await apply(action.run('client.add', { type, hosts }));
    const added = next?.entries.find((e) => !before.has(e.id));
    if (added) setSelectedId(added.id);
  };

  const move = (entry: ClientEntry, delta: -1 | 1) => void apply(action.run('client.move', { id: entry.id, delta }));

  const remove = async () => {
    const entry = confirmRemove;
    setConfirmRemove(null);
    if (!entry) return;
    const index = entries.findIndex((e) => e.id === entry.id);
    const next = await apply(action.run('client.remove', { id: entry.id }));
    if (next) setRemoved({ entry, index });
  };

  /** Adds the entry again and moves it back to where it was. */
  const undo = async () => {
    const gone = removed;
    setRemoved(null);
    if (!gone) return;
    const before = new Set(entries.map((e) => e.id));
    let next = await apply(action.run('client.add', { name: gone.entry.name, type: gone.entry.type, hosts: gone.entry.hosts }));
    const back = next?.entries.find((e) => !before.has(e.id));
    if (!back || !next) return;
    for (let at = next.entries.length - 1; at > gone.index && next; at--) next = await apply(action.run('client.move', { id: back.id, delta: -1 }));
    setSelectedId(back.id);
  };

  const onListKey = (e: KeyboardEvent) => {
    if (entries.length === 0) return;
    const index = entries.findIndex((x) => x.id === selectedId);
    // Alt+Up/Down moves the selected entry, as Move Up/Move Down; Delete asks to remove it
    if (e.altKey && selected && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      const delta = e.key === 'ArrowUp' ? -1 : 1;
      if (!action.busy && index + delta >= 0 && index + delta < entries.length) move(selected, delta);
    } else if (e.key === 'Delete' && selected) setConfirmRemove(selected);
    else if (e.key === 'ArrowDown') setSelectedId(entries[Math.min(entries.length - 1, index + 1)]!.id);
    else if (e.key === 'ArrowUp') setSelectedId(entries[Math.max(0, index - 1)]!.id);
    else if (e.key === 'Home') setSelectedId(entries[0]!.id);
    else if (e.key === 'End') setSelectedId(entries[entries.length - 1]!.id);
    else return;
    e.preventDefault();
  };

  return (
    <section aria-labelledby="client-title" className="screen">
      <Subtitle1 as="h2" id="client-title">
        Client/Server Configuration
      </Subtitle1>
      {config.state === 'loading' && !config.value && <Loading label="Loading the client configuration…" />}
      <ErrorBar error={config.error} onRetry={() => void config.reload()} />
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {config.value && (
        <>
          <Checkbox label="Use license server" checked={inUse} onChange={(_e, d) => void apply(action.run('client.setUse', { use: !!d.checked }))} />
          {!inUse && (
            <Text size={200} data-testid="not-used" id="not-used">
              Not used: products on this machine do not search these servers. Tick Use license server to search them in this order.
            </Text>
          )}
          {config.value.registry?.where && (
            <Text size={200} data-testid="registry-where">
              Also written to <Breakable text={config.value.registry.where} /> for FlexLM tools.
            </Text>
          )}
          {config.value.registry?.problem && <Notice intent="warning">{config.value.registry.problem}</Notice>}
          {removed && (
            <Notice intent="info" role="status" testId="removed">
              Removed {removed.entry.name} ({describeEntry(removed.entry)}).{' '}
              <Button size="small" onClick={() => void undo()} disabled={!!action.busy}>
                Undo
              </Button>
            </Notice>
          )}
          {/* greyed but still editable: the list can be prepared before it is used */}
          <div className={inUse ? 'client-layout' : 'client-layout not-in-use'}>
            <div className="search-order-box">
              <Text weight="semibold" as="h3" id="search-order-label">
                Search order
              </Text>
              {entries.length === 0 ? (
                <Empty>No license servers. Add Server adds one.</Empty>
              ) : (
                <ul
                  role="listbox"
                  aria-labelledby="search-order-label"
                  aria-describedby={inUse ? 'search-order-keys' : 'not-used search-order-keys'}
                  tabIndex={0}
                  className="search-order"
                  aria-activedescendant={selected ? `entry-${selected.id}` : undefined}
                  onKeyDown={onListKey}
                  data-testid="search-order"
                >
                  {entries.map((entry) => (
                    <li
                      key={entry.id}
                      id={`entry-${entry.id}`}
                      role="option"
                      aria-selected={entry.id === selectedId}
                      className={entry.id === selectedId ? 'selected' : undefined}
                      onClick={() => setSelectedId(entry.id)}
                    >
                      <span className="entry-name">
                        <Breakable text={entry.name} />
                      </span>
                      <span className="entry-detail">
                        {entry.type === 'redundant' ? 'Redundant' : 'Single'} · <Breakable text={describeEntry(entry)} />
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              <Text size={200} id="search-order-keys" className="keys-hint">
                Alt+↑ / Alt+↓ move the selected server; Delete removes it.
              </Text>
            </div>
            {/* disabledFocusable: a button that is busy or at the end keeps the keyboard focus */}
            <div className="client-buttons">
              <Button onClick={() => setAdding(true)}>Add Server…</Button>
              <DangerButton disabledFocusable={!selected || !!action.busy} onClick={() => selected && setConfirmRemove(selected)}>
                Remove
              </DangerButton>
              <Button
                disabledFocusable={!selected || entries[0]?.id === selected.id || !!action.busy}
                onClick={() => selected && move(selected, -1)}
                aria-keyshortcuts="Alt+ArrowUp"
              >
                Move Up
              </Button>
              <Button
                disabledFocusable={!selected || entries[entries.length - 1]?.id === selected.id || !!action.busy}
                onClick={() => selected && move(selected, 1)}
                aria-keyshortcuts="Alt+ArrowDown"
              >
                Move Down
              </Button>
              <Button
                disabledFocusable={entries.length === 0 || !!action.busy}
                onClick={async () => {
                  setVerify(null);
                  setVerify(await action.run('client.verify', {}));
                }}
              >
                Verify
              </Button>
            </div>
          </div>
          {selected && (
            <SettingsBox key={selected.id} entry={selected} onSave={(patch) => void apply(action.run('client.update', { id: selected.id, ...patch }))} />
          )}
          {action.busy === 'client.verify' && <Loading label="Contacting each server…" />}
          {verify && <VerifyTable results={verify} entries={entries} />}
          <LicensePathImportExport listKey={listKey} onImported={(c) => config.set(c)} />
        </>
      )}
      <AddServerDialog open={adding} onAdd={(type, hosts) => void add(type, hosts)} onCancel={() => setAdding(false)} />
      <ConfirmDialog
        open={confirmRemove !== null}
        title="Remove this license server?"
        confirmLabel="Remove"
        onConfirm={() => void remove()}
        onCancel={() => setConfirmRemove(null)}
      >
        {confirmRemove &&
          `${confirmRemove.name} (${describeEntry(confirmRemove)}) leaves the search order: products on this machine stop looking for licenses there. ` +
            `Undo puts it back.`}
      </ConfirmDialog>
    </section>
  );
}
