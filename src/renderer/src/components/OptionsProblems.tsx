import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { FileProblem } from '../../../shared/status';
import { Breakable } from './Breakable';

/**
 * The options files' problems, one notice each, as `triad check` prints them (FILE:LINE:COL). The
 * server runs without the lines it could not read, so an error means access differs from what
 * the file says (an ignored EXCLUDE excludes nobody): it must not go unseen.
 */
export function OptionsProblems({ problems }: { problems: FileProblem[] }) {
  return problems.map((p) => (
    <MessageBar key={`${p.file}:${p.line}:${p.column}:${p.message}`} intent={p.severity} layout="multiline" data-testid="options-problem">
      <MessageBarBody>
        <MessageBarTitle>{p.severity === 'error' ? 'Access differs from the options file' : 'Options file'}</MessageBarTitle>
        <code>
          <Breakable text={`${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`} />
        </code>
        {p.hint && <div className="hint">hint: {p.hint}</div>}
      </MessageBarBody>
    </MessageBar>
  ));
}
