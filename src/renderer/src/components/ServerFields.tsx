import { Field, Input } from '@fluentui/react-components';
import type { ClientHost } from '../../../shared/contract';

export const redundantRoles = ['Primary', 'Secondary', 'Tertiary'] as const;

/**
 * Server name + port inputs for one host. A single server may leave the port empty (`@host`:
 * the client probes 27000-27009); a triad member needs one.
 */
export function ServerFields(props: { label: string; value: ClientHost; onChange: (value: ClientHost) => void; testId: string; portOptional: boolean }) {
  const { label, value, onChange, testId, portOptional } = props;
  const portOk = validPort(value.port, portOptional);
  return (
    <div className="server-fields">
      <Field label={`${label} Server Name`.trim()} required>
        <Input value={value.host} onChange={(_e, d) => onChange({ ...value, host: d.value })} data-testid={`${testId}-host`} />
      </Field>
      <Field
        label={`${label} Port`.trim()}
        required={!portOptional}
        hint={portOptional ? 'Empty: try ports 27000-27009' : undefined}
        validationMessage={portOk ? undefined : 'A port is a number from 1 to 65535.'}
      >
        <Input
          type="number"
          min={1}
          max={65535}
          value={value.port === null || Number.isNaN(value.port) ? '' : String(value.port)}
          onChange={(_e, d) => onChange({ ...value, port: d.value === '' ? null : Number(d.value) })}
          data-testid={`${testId}-port`}
        />
      </Field>
    </div>
  );
}

export function validPort(port: number | null, optional: boolean): boolean {
  if (port === null) return optional;
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function validHosts(hosts: ClientHost[]): boolean {
  return hosts.every((h) => h.host.trim() !== '' && validPort(h.port, hosts.length === 1)) && redundantProblems(hosts).error === null;
}

/**
 * A redundant entry names three different servers (the same host twice is one machine, not a
 * triad); different ports are allowed (each SERVER line has its own) but usually a slip.
 */
export function redundantProblems(hosts: ClientHost[]): { error: string | null; warning: string | null } {
  if (hosts.length !== 3) return { error: null, warning: null };
  const names = hosts.map((h) => h.host.trim().toLowerCase());
  const twice = names.findIndex((name, i) => name !== '' && names.indexOf(name) !== i);
  if (twice >= 0) {
    const first = names.indexOf(names[twice]!);
    return {
      error: `${redundantRoles[first]} and ${redundantRoles[twice]!.toLowerCase()} are the same host (${hosts[twice]!.host.trim()}): a redundant ` +
        `server needs three different machines, in the order of the license file's SERVER lines.`,
      warning: null,
    };
  }
  const ports = hosts.map((h) => h.port);
  if (ports.every((p) => p !== null) && new Set(ports).size > 1) {
    return {
      error: null,
      warning: `The ports differ (${ports.join(', ')}). That is allowed when the SERVER lines say so, but the three usually share one port: check the ` +
        `license file.`,
    };
  }
  return { error: null, warning: null };
}
