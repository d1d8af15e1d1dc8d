import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Radio, RadioGroup } from '@fluentui/react-components';
import { useState } from 'react';
import type { ClientEntryType, ClientHost } from '../../../shared/contract';
import { RedundantFields } from './RedundantFields';
import { ServerFields, validHosts } from './ServerFields';
import { useReturnFocus } from './useReturnFocus';

const blank = (): ClientHost => ({ host: '', port: 27000 });

/** LKAD's Add Server: Server Type Single, or Redundant with primary, secondary and tertiary. */
export function AddServerDialog(props: { open: boolean; onAdd: (type: ClientEntryType, hosts: ClientHost[]) => void; onCancel: () => void }) {
  useReturnFocus(props.open);
  const [type, setType] = useState<ClientEntryType>('single');
  const [hosts, setHosts] = useState<ClientHost[]>([blank(), blank(), blank()]);
  const used = type === 'single' ? hosts.slice(0, 1) : hosts;
  const setHost = (i: number, value: ClientHost) => setHosts(hosts.map((h, j) => (j === i ? value : h)));
  const close = () => {
    setType('single');
    setHosts([blank(), blank(), blank()]);
  };

  return (
    <Dialog open={props.open} onOpenChange={(_e, d) => !d.open && (close(), props.onCancel())}>
      <DialogSurface aria-describedby={undefined}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!validHosts(used)) return;
            props.onAdd(type, used.map((h) => ({ host: h.host.trim(), port: h.port })));
            close();
          }}
        >
          <DialogBody>
            <DialogTitle>Add Server</DialogTitle>
            <DialogContent>
              <Field label="Server Type">
                <RadioGroup value={type} onChange={(_e, d) => setType(d.value as ClientEntryType)} layout="horizontal">
                  <Radio value="single" label="Single" />
                  <Radio value="redundant" label="Redundant" />
                </RadioGroup>
              </Field>
              {type === 'single' ? (
                <ServerFields label="" value={hosts[0]!} onChange={(v) => setHost(0, v)} testId="add-single" portOptional />
              ) : (
                <RedundantFields hosts={hosts} onChange={setHost} testIdPrefix="add" />
              )}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="secondary"
                onClick={() => {
                  close();
                  props.onCancel();
                }}
              >
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={!validHosts(used)}>
                OK
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
