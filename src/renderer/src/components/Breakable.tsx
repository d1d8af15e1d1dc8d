import { Fragment } from 'react';

/**
 * Host names, paths and `port@host` lists are long words: they may break after `.`, `/`, `\`,
 * `@`, `,`, `-`, `_` or `:` (where a reader expects it), never inside a word, so a 60-character
 * host name wraps in a narrow window instead of overflowing or being cut.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[./\\@,:_-])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
