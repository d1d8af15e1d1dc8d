import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { FeatureStatus, UserStatus } from '../../../shared/status';
import { Empty } from './feedback';

/** Who holds which seats (lmstat -a's user lines), with lmremove per row. */
export function UsersTable({ features, onRemove }: { features: FeatureStatus[]; onRemove: (f: FeatureStatus, u: UserStatus) => void }) {
  const rows = features.flatMap((feature) => feature.users.map((user) => ({ feature, user })));
  if (rows.length === 0) return <Empty>Nobody holds a license right now.</Empty>;
  return (
    <Table aria-label="Users" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Feature</TableHeaderCell>
          <TableHeaderCell>User</TableHeaderCell>
          <TableHeaderCell>Host</TableHeaderCell>
          <TableHeaderCell>Display</TableHeaderCell>
          <TableHeaderCell>Version</TableHeaderCell>
          <TableHeaderCell>Seats</TableHeaderCell>
          <TableHeaderCell>Since</TableHeaderCell>
          <TableHeaderCell>
            <span className="visually-hidden">Actions</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map(({ feature, user }) => (
          <TableRow key={`${feature.name}/${user.handle}`} data-testid={`user-${user.user}`}>
            <TableCell>{feature.name}</TableCell>
            <TableCell>{user.user}</TableCell>
            <TableCell>{user.host}</TableCell>
            <TableCell>{user.display}</TableCell>
            <TableCell>{user.version}</TableCell>
            <TableCell>{user.count}</TableCell>
            <TableCell>{new Date(user.startedAt).toLocaleString()}</TableCell>
            <TableCell>
              <Button size="small" onClick={() => onRemove(feature, user)} aria-label={`Remove ${user.user} from ${feature.name}`}>
                Remove
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
