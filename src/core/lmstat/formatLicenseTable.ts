import type { ServerStatus } from '../../shared/status';

/**
 * `lmstat -i`: one row per pool, in the column order `Feature Version #licenses Vendor Expires`
 * of recent builds (reference 4.2, EXP-I2). Ours comes from the server's own view of its
 * license file, so FlexLM's "only reads the license file" NOTE is left out.
 */
export function formatLicenseTable(statuses: readonly ServerStatus[], feature: string | null): string {
  const rows = [
    ['Feature', 'Version', '#licenses', 'Vendor', 'Expires'],
    ['_______', '_________', '_________', '______', '________'],
  ];
  for (const status of statuses) {
    for (const pool of status.features) {
      if (feature !== null && pool.name !== feature) continue;
      const expiry = pool.expiry === 'permanent' ? 'permanent(no expiration date)' : pool.expiry;
      rows.push([pool.name, pool.version, String(pool.issued ?? 0), pool.vendor, expiry]);
    }
  }
  const widths = [32, 12, 13, 14];
  const lines = rows.map((row) =>
    row.map((cell, column) => (column < widths.length ? cell.padEnd(Math.max(widths[column], cell.length + 1)) : cell)).join(''),
  );
  return lines.join('\n') + '\n';
}
