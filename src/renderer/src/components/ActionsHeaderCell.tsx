import { TableHeaderCell } from '@fluentui/react-components';

/** The header of a table's column of row buttons: named for screen readers, blank on screen. */
export function ActionsHeaderCell() {
  return (
    <TableHeaderCell>
      <span className="visually-hidden">Actions</span>
    </TableHeaderCell>
  );
}
