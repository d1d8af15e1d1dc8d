import { Button, Checkbox, Text, Title2 } from '@fluentui/react-components';
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ClientConfig, ClientEntryType, ClientHost, VerifyResult } from '../../../shared/contract';
import { AddServerDialog } from '../components/AddServerDialog';
import { describeEntry } from '../components/describeEntry';
import { Empty, ErrorBar, Loading } from '../components/feedback';
import { LicensePathImportExport } from '../components/LicensePathImportExport';
import { SettingsBox } from '../components/SettingsBox';
import { VerifyTable } from '../components/VerifyTable';
import { useAction, useEvent, useQuery } from '../useTransport';
/** The IBM Rational License Key Administrator's Client/Server Configuration dialog. */
export function ClientConfigScreen() {
  const config = useQuery('client.get', {});
  const action = useAction();
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [verify, setVerify] = useState<VerifyResult[] | null>(null);
  useEvent('clientConfig', config.set);

  const apply = async (next: Promise<ClientConfig | null>) => {
    const value = await next;
    if (value) config.set(value);
    return value;
  };

  const entries = config.value?.entries ?? [];
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

  const onListKey = (e: KeyboardEvent) => {
    if (entries.length === 0) return;
    const index = entries.findIndex((x) => x.id === selectedId);
    if (e.key === 'ArrowDown') setSelectedId(entries[Math.min(entries.length - 1, index + 1)]!.id);
    else if (e.key === 'ArrowUp') setSelectedId(entries[Math.max(0, index - 1)]!.id);
    else if (e.key === 'Home') setSelectedId(entries[0]!.id);
    else if (e.key === 'End') setSelectedId(entries[entries.length - 1]!.id);
    else return;
    e.preventDefault();
  };

  return (
    <section aria-labelledby="client-title" className="screen">
      <Title2 as="h2" id="client-title">Client/Server Configuration</Title2>
      {config.state === 'loading' && !config.value && <Loading label="Loading the client configuration…" />}
      <ErrorBar error={config.error} onRetry={() => void config.reload()} />
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      {config.value && (
        <>
          <Checkbox
            label="Use license server"
            checked={config.value.useLicenseServer}
            onChange={(_e, d) => void apply(action.run('client.setUse', { use: !!d.checked }))}
          />
          <div className="client-layout">
            <div>
              <Text weight="semibold" as="h3" id="search-order-label">
                Search order
              </Text>
              {entries.length === 0 ? (
                <Empty>No license servers. Add Server adds one.</Empty>
              ) : (
                <ul
                  role="listbox"
                  aria-labelledby="search-order-label"
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
                      <span className="entry-name">{entry.name}</span>
                      <span className="entry-detail">
                        {entry.type === 'redundant' ? 'Redundant' : 'Single'} · {describeEntry(entry)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            {/* disabledFocusable: a button that is busy or at the end keeps the keyboard focus */}
            <div className="client-buttons">
              <Button onClick={() => setAdding(true)}>Add Server…</Button>
              <Button disabledFocusable={!selected || !!action.busy} onClick={() => selected && void apply(action.run('client.remove', { id: selected.id }))}>
                Remove
              </Button>
              <Button
                disabledFocusable={!selected || entries[0]?.id === selected.id || !!action.busy}
                onClick={() => selected && void apply(action.run('client.move', { id: selected.id, delta: -1 }))}
              >
                Move Up
              </Button>
              <Button
                disabledFocusable={!selected || entries[entries.length - 1]?.id === selected.id || !!action.busy}
                onClick={() => selected && void apply(action.run('client.move', { id: selected.id, delta: 1 }))}
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
    </section>
  );
}
