import { Button, Field, Input } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { ClientEntry, ClientHost } from '../../../shared/contract';
import { RedundantFields } from './RedundantFields';
import { ServerFields, validHosts } from './ServerFields';

/** LKAD's Settings box for the selected search-order entry. */
export function SettingsBox({ entry, onSave }: { entry: ClientEntry; onSave: (patch: { name?: string; hosts?: ClientHost[] }) => void }) {
  const [name, setName] = useState(entry.name);
  const [hosts, setHosts] = useState(entry.hosts);
  useEffect(() => {
    setName(entry.name);
    setHosts(entry.hosts);
  }, [entry]);
  const setHost = (i: number, value: ClientHost) => setHosts(hosts.map((h, j) => (j === i ? value : h)));
  const single = entry.type === 'single';

  const save = () => {
    // For a single server the Server Name is the host: renaming it points the entry elsewhere.
    if (single) onSave({ name: hosts[0]!.host.trim(), hosts });
    else onSave({ name: name.trim(), hosts });
  };

  return (
    <fieldset className="settings-box" data-testid="settings-box">
      <legend>Settings</legend>
      {single ? (
        <ServerFields label="" value={hosts[0]!} onChange={(v) => setHost(0, v)} testId="settings-single" portOptional />
      ) : (
        <>
          <Field label="Name">
            <Input value={name} onChange={(_e, d) => setName(d.value)} data-testid="settings-name" />
          </Field>
          <RedundantFields hosts={hosts} onChange={setHost} testIdPrefix="settings" />
        </>
      )}
      <Button appearance="primary" disabled={!validHosts(hosts)} onClick={save}>
        Apply
      </Button>
    </fieldset>
  );
}
