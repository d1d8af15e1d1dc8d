import { Badge, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import type { FeatureStatus, UserStatus } from '../../../shared/status';
import { ActionsHeaderCell } from './ActionsHeaderCell';
import { Breakable } from './Breakable';
import { DangerButton } from './DangerButton';
import { Empty } from './feedback';

/** A counted pool whose every seat is taken: the next checkout is denied. */
export function atLimit(feature: FeatureStatus): boolean {
  return feature.served && feature.issued !== null && feature.issued > 0 && feature.inUse >= feature.issued;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** lmstat -a's `Users of NAME:` line, e.g. `(Total of 5 licenses issued;  Total of 2 licenses in use)`. */
export function usersOfLine(feature: FeatureStatus): string {
  if (!feature.served) return `Users of ${feature.name}: not served (${feature.notServedReason ?? 'unknown reason'})`;
  if (feature.issued === null) return `Users of ${feature.name}: (Uncounted, node-locked)`;
  return `Users of ${feature.name}: (Total of ${plural(feature.issued, 'license')} issued; Total of ${plural(feature.inUse, 'license')} in use)`;
}

/**
 * Who holds which seats, grouped under each feature as `lmstat -a` prints them: the feature's
 * "Users of" line, then one row per user (user, host, display, version, server/port handle,
 * start), each with lmremove. A feature at its limit is marked.
 */
export function FeatureUsers({
  features,
  onRemove,
  canRemove,
}: {
  features: FeatureStatus[];
  onRemove: (f: FeatureStatus, u: UserStatus) => void;
  canRemove: boolean;
}) {
  const held = features.filter((f) => f.users.length > 0);
  if (held.length === 0) return <Empty>Nobody holds a license right now.</Empty>;
  return (
    <div className="feature-users">
      {held.map((feature) => (
        <section
          key={`${feature.name}/${feature.version}/${feature.vendorString ?? ''}`}
          className={atLimit(feature) ? 'users-of at-limit' : 'users-of'}
          data-testid={`users-of-${feature.name}`}
        >
          <div className="users-of-line">
            <Text weight="semibold">{usersOfLine(feature)}</Text>
            {atLimit(feature) && (
              <Badge color="danger" appearance="filled">
                at limit: next checkout is denied
              </Badge>
            )}
          </div>
          <Table aria-label={`Users of ${feature.name}`} size="small" className="fit-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>User</TableHeaderCell>
                <TableHeaderCell>Host</TableHeaderCell>
                <TableHeaderCell>Display</TableHeaderCell>
                <TableHeaderCell>Version</TableHeaderCell>
                <TableHeaderCell>Server / handle</TableHeaderCell>
                <TableHeaderCell>Start</TableHeaderCell>
                {canRemove && <ActionsHeaderCell />}
              </TableRow>
            </TableHeader>
            <TableBody>
              {feature.users.map((user) => (
                <TableRow key={`${user.server}:${user.port}:${user.handle}`} data-testid={`user-${user.user}`}>
                  <TableCell>
                    {/* screen readers (and a row's text) name the feature too */}
                    <span className="visually-hidden">{feature.name}: </span>
                    <Breakable text={user.user} />
                    {user.count > 1 && ` (${user.count} licenses)`}
                  </TableCell>
                  <TableCell>
                    <Breakable text={user.host} />
                  </TableCell>
                  <TableCell>
                    <Breakable text={user.display} />
                  </TableCell>
                  <TableCell>v{user.version}</TableCell>
                  <TableCell>
                    <Breakable text={`${user.server}/${user.port} ${user.handle}`} />
                  </TableCell>
                  <TableCell>
                    {new Date(user.startedAt).toLocaleString()}
                    {user.linger && ` (linger: ${user.linger.remaining} / ${user.linger.total})`}
                  </TableCell>
                  {canRemove && (
                    <TableCell>
                      <DangerButton size="small" onClick={() => onRemove(feature, user)} aria-label={`Remove ${user.user} from ${feature.name}`}>
                        Remove
                      </DangerButton>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
      ))}
    </div>
  );
}
