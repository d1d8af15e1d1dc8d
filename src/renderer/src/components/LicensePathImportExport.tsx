import { Button, Field, Input, Radio, RadioGroup, Subtitle2 } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { ClientConfig } from '../../../shared/contract';
import { useAction } from '../useTransport';
import { ErrorBar, Notice } from './feedback';

/** The search order to and from an LM_LICENSE_FILE value. */
export function LicensePathImportExport({ listKey, onImported }: { listKey: string; onImported: (config: ClientConfig) => void }) {
  const action = useAction();
  const [value, setValue] = useState('');
  const [platform, setPlatform] = useState<'windows' | 'unix'>('windows');
  const [exported, setExported] = useState<string | null>(null);
  // an exported value of an older list must not be copied: it goes when the list changes
  useEffect(() => setExported(null), [listKey]);

  return (
    <div className="path-io">
      <Subtitle2 as="h3">LM_LICENSE_FILE</Subtitle2>
      <ErrorBar error={action.error} onDismiss={action.clearError} />
      <div className="import-row">
        <Field label="Import from an LM_LICENSE_FILE value (replaces the list)">
          <Input value={value} onChange={(_e, d) => setValue(d.value)} placeholder="27000@a,27000@b,27000@c;27000@siteB" data-testid="path-import" />
        </Field>
        <Button
          disabled={!value.trim() || !!action.busy}
          onClick={async () => {
            const next = await action.run('client.import', { value });
            if (next) {
              onImported(next);
              setValue('');
            }
          }}
        >
          Import
        </Button>
      </div>
      {/* not in a Toolbar: its arrow keys would take the radio buttons' own, and UNIX could not be chosen by keyboard */}
      <div className="button-row" role="group" aria-label="Export the search order">
        <RadioGroup value={platform} onChange={(_e, d) => setPlatform(d.value as 'windows' | 'unix')} layout="horizontal" aria-label="Separator">
          <Radio value="windows" label="Windows (;)" />
          <Radio value="unix" label="UNIX (:)" />
        </RadioGroup>
        <Button
          onClick={async () => {
            const result = await action.run('client.export', { platform });
            if (result) setExported(result.value);
          }}
        >
          Export
        </Button>
      </div>
      {exported !== null &&
        (exported ? (
          <Input readOnly value={exported} aria-label="Exported LM_LICENSE_FILE value" data-testid="path-export" className="wide" />
        ) : (
          <Notice intent="info">The search order is empty.</Notice>
        ))}
    </div>
  );
}
