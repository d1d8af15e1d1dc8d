import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import type { LicenseCheckReport, LicenseDiagnostic, SignatureState } from '../../../shared/contract';
import { Breakable } from './Breakable';

function DiagnosticList({ items, fileName }: { items: LicenseDiagnostic[]; fileName: string }) {
  return (
    <ul className="diagnostics">
      {items.map((d, i) => (
        <li key={i} className={d.severity}>
          <code>
            <Breakable text={`${fileName}:${d.line}:${d.column}: ${d.severity}: ${d.message}`} />
          </code>
          {d.hint && <div className="hint">hint: {d.hint}</div>}
        </li>
      ))}
    </ul>
  );
}

/** Whether a line of the file would be served, as far as its signature goes. */
export function servedBySignature(signature: SignatureState): string {
  switch (signature) {
    case 'valid':
      return 'yes';
    case 'invalid':
      return 'not served: signature does not verify';
    case 'unverified':
      return 'not served: vendor key not trusted';
  }
}

/** Vendors whose lines no trusted key can verify: none of their features would be served. */
export function untrustedVendors(report: LicenseCheckReport): string[] {
  return [...new Set(report.features.filter((f) => f.signature === 'unverified').map((f) => f.vendor))].sort();
}

/** What `triad check` says about a file: errors and warnings first, then what the file holds. */
export function CheckReport({ report }: { report: LicenseCheckReport }) {
  return (
    <div data-testid="check-report" className="check-report">
      {report.errors.length > 0 && (
        <>
          <Text weight="semibold" as="h4">
            {report.errors.length === 1 ? '1 error' : `${report.errors.length} errors`} in {report.fileName}
          </Text>
          <DiagnosticList items={report.errors} fileName={report.fileName} />
        </>
      )}
      {report.warnings.length > 0 && (
        <>
          <Text weight="semibold" as="h4">
            {report.warnings.length === 1 ? '1 warning' : `${report.warnings.length} warnings`}
          </Text>
          <DiagnosticList items={report.warnings} fileName={report.fileName} />
        </>
      )}
      {report.servers.length > 0 && (
        <Text as="p">
          Servers: <Breakable text={report.servers.map((s) => `${s.host} (${s.role}${s.port ? `, port ${s.port}` : ''})`).join(', ')} />. Vendors:{' '}
          {report.vendors.map((v) => v.name).join(', ') || 'none'}.
        </Text>
      )}
      {report.features.length > 0 && (
        <Table aria-label="Features in the file" size="small" className="fit-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Line</TableHeaderCell>
              <TableHeaderCell>Feature</TableHeaderCell>
              <TableHeaderCell>Vendor</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Expiry</TableHeaderCell>
              <TableHeaderCell>Count</TableHeaderCell>
              <TableHeaderCell>Served</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {report.features.map((f) => (
              <TableRow key={f.line} className={f.signature === 'valid' ? undefined : 'not-served'}>
                <TableCell>{f.line}</TableCell>
                <TableCell>
                  <Breakable text={f.name} />
                </TableCell>
                <TableCell>{f.vendor}</TableCell>
                <TableCell>{f.version}</TableCell>
                <TableCell>{f.expiry}</TableCell>
                <TableCell>{f.count}</TableCell>
                <TableCell>{servedBySignature(f.signature)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
