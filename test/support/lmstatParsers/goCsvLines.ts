/**
 * Go's encoding/csv reader as flexlm_exporter configures it to split lmutil output into lines
 * (`splitOutput`: Comma 'Ž', LazyQuotes, Comment '#'), transcribed from the Go standard library's
 * documented behaviour (BSD-3-Clause): empty lines and lines starting with '#' are skipped; a
 * field that starts with '"' is a quoted field, which with LazyQuotes keeps a stray quote as text
 * and runs on over newlines until a quote ends a line; '\r\n' reads as '\n'. The exporter then
 * renames repeated first fields (`TrimSpace(v[0]) + count`). This is why a pool line printed at
 * the start of a line (`"MATLAB" v52, ...`, FlexNet 11.19) swallows the rest of the output
 * (flexlm_exporter issue #175).
 */
export function goCsvRecords(text: string): string[] {
  const lines = text.replaceAll('\r\n', '\n').split(/(?<=\n)/);
  const records: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index++];
    if (line === '\n' || line === '' || line.startsWith('#')) continue;
    if (!line.startsWith('"')) {
      records.push(line.endsWith('\n') ? line.slice(0, -1) : line);
      continue;
    }
    // quoted field: from after the opening quote, until a quote followed by end of line or EOF
    let field = '';
    let rest = line.slice(1);
    for (;;) {
      const quote = rest.indexOf('"');
      if (quote >= 0) {
        field += rest.slice(0, quote);
        rest = rest.slice(quote + 1);
        if (rest.startsWith('"')) {
          field += '"';
          rest = rest.slice(1);
        } else if (rest === '' || rest === '\n') {
          break;
        } else {
          field += '"'; // LazyQuotes: a bare quote is text
        }
      } else if (rest.length > 0) {
        field += rest;
        if (index >= lines.length) break;
        rest = lines[index++];
      } else {
        break;
      }
    }
    records.push(field);
  }
  return records;
}

/** flexlm_exporter's splitOutput after the csv read: a repeated line gets its count appended. */
export function exporterLines(text: string): string[] {
  const seen = new Map<string, number>();
  return goCsvRecords(text).map((record) => {
    const count = (seen.get(record) ?? 0) + 1;
    seen.set(record, count);
    return count === 1 ? record : record.trim() + String(count);
  });
}
