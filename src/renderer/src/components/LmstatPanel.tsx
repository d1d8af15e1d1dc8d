import { Button, Text } from '@fluentui/react-components';
import { CopyRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useQuery } from '../useTransport';
import { ErrorBar, Loading } from './feedback';

/**
 * lmtools' Status Enquiry: `lmstat -a` for this server as lmutil prints it (every member asked
 * over its port), with Copy for a mail or a ticket, and Refresh.
 */
export function LmstatPanel() {
  const lmstat = useQuery('status.lmstat', {});
  const [copied, setCopied] = useState<string | null>(null);
  const text = lmstat.value?.text ?? null;
  const copy = async () => {
    if (text === null) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied the lmstat text to the clipboard.');
    } catch {
      setCopied('The browser refused the clipboard: select the text and copy it with Ctrl+C.');
    }
  };
  return (
    <div className="lmstat-panel" data-testid="lmstat-panel">
      <div className="button-row">
        <Button icon={<CopyRegular />} onClick={() => void copy()} disabled={text === null}>
          Copy
        </Button>
        <Button
          onClick={() => {
            setCopied(null);
            void lmstat.reload();
          }}
          disabled={lmstat.state === 'loading'}
        >
          Refresh
        </Button>
        {lmstat.state === 'loading' && <Loading label="Asking every server, as lmstat does…" />}
        {copied && <Text role="status">{copied}</Text>}
      </div>
      <ErrorBar error={lmstat.error} onRetry={() => void lmstat.reload()} />
      {text !== null && (
        <pre className="lmstat-text" tabIndex={0} aria-label="lmstat -a text" data-testid="lmstat-text">
          {text}
        </pre>
      )}
    </div>
  );
}
