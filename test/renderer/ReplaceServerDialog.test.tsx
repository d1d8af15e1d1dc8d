import './noWebAnimations';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import type { LicenseCheckReport, ReplaceServerResult, TriadMembership } from '../../src/shared/contract';
import { replacementSteps, type PendingReplacement } from '../../src/shared/triadReplacement';
import { createFakeTransport, triadStatus, type Handlers } from './fakeTransport';

/** Issue 14, "Replace a server" on the Server status and License files screens, against the fake transport. */

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

// happy-dom's tabster marks an open modal aria-hidden, so the dialog is queried with hidden: true
const findDialog = () => screen.findByRole('dialog', { hidden: true });
const file = (name: string, body: string) => new File([body], name, { type: 'text/plain' });
const newText = 'SERVER apple 111dead 27000\nSERVER orange 111dead 27000\nSERVER cherry 222beef 27000\nVENDOR ibmratl\n';

const machine = (host: string, hostid = '111dead') => ({ host, hostid });
const ranks = ['primary', 'secondary', 'tertiary'] as const;
const membership = (change: TriadMembership['change'], changed: number[], summary: string): TriadMembership => ({
  fileName: 'license-new.lic',
  change,
  summary,
  lines: [machine('apple'), machine('orange'), machine('banana')].map((recorded, i) => ({
    position: i + 1,
    rank: ranks[i]!,
    recorded,
    now: changed.includes(i) ? machine(['grape', 'kiwi', 'cherry'][i]!, '222beef') : recorded,
    changed: changed.includes(i),
  })),
});

function report(over: Partial<LicenseCheckReport> = {}): LicenseCheckReport {
  return {
    fileName: 'license-new.lic',
    servers: ['apple', 'orange', 'cherry'].map((host, i) => ({ host, hostid: '111dead', port: 27000, role: ranks[i]! })),
    vendors: [{ name: 'ibmratl', port: null, options: null }],
    features: [{ name: 'compiler', vendor: 'ibmratl', version: '1.0', expiry: 'permanent', count: 5, signature: 'valid', line: 5 }],
    upgrades: [],
    packages: [],
    errors: [],
    warnings: [],
    ...over,
  };
}

const replacement: PendingReplacement = {
  atMs: Date.UTC(2026, 11, 5, 1, 0),
  position: 3,
  rank: 'tertiary',
  from: machine('banana'),
  to: machine('cherry', '222beef'),
};
const afterReplace = triadStatus({
  role: 'no-quorum',
  quorum: false,
  master: null,
  members: triadStatus().members.map((member, i) =>
    i === 2 ? { ...member, host: 'cherry', hostid: '222beef' } : { ...member, master: false, up: member.self },
  ),
});
const replaced: ReplaceServerResult = {
  message: 'SERVER line 3 (tertiary): banana (host id 111dead) -> cherry (host id 222beef): this server keeps its seats and log.',
  outcome: { state: 'waiting-for-peers', message: 'Started again. This server is one of three redundant servers and waits for a second one.' },
  status: afterReplace,
  replacement,
  steps: replacementSteps(replacement, afterReplace),
};

function fakeServer(handlers: Handlers = {}) {
  return createFakeTransport({
    'status.get': () => triadStatus(),
    'license.list': () => ({ location: '/data/licenses', files: [] }),
    'keys.list': () => [],
    'triad.replacement': () => null,
    ...handlers,
  });
}

async function openFromStatus(fake: ReturnType<typeof createFakeTransport>) {
  render(<App transport={fake.transport} />);
  await userEvent.click(await screen.findByRole('button', { name: 'Replace a server…' }));
  const dialog = await findDialog();
  await userEvent.upload(within(dialog).getByTestId('replace-license-input'), file('license-new.lic', newText));
  return dialog;
}

describe('Replace a server', () => {
  it('from Server status: shows which member the file replaces by which, replaces on confirm, and lists what is left on the other two', async () => {
    const fake = fakeServer({
      'license.check': () =>
        report({ membership: membership('replace-one', [2], 'SERVER line 3 (tertiary): banana -> cherry: a new machine in place of a member.') }),
      'triad.replaceServer': () => replaced,
    });
    const dialog = await openFromStatus(fake);
    const changed = await within(dialog).findByTestId('member-line-3');
    expect(changed.textContent).toContain('banana (host id 111dead)');
    expect(changed.textContent).toContain('cherry (host id 222beef) (new)');
    expect(within(dialog).getByTestId('member-line-1').textContent).toContain('unchanged');
    expect(fake.callsOf('license.check')).toEqual([{ fileName: 'license-new.lic', text: newText, replace: true }]);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Replace banana by cherry', hidden: true }));
    expect(fake.callsOf('triad.replaceServer')).toEqual([{ license: { fileName: 'license-new.lic', text: newText } }]);
    expect((await within(dialog).findByRole('status', { hidden: true })).textContent).toContain('accepted the new member and started again');
    const said = within(dialog).getByTestId('replace-result').textContent;
    expect(said).toContain('SERVER line 3 (tertiary): banana (host id 111dead) -> cherry (host id 222beef): this server keeps its seats and log.');
    expect(said).toContain('Started again. This server is one of three redundant servers');
    const steps = within(dialog).getByTestId('replacement-steps').textContent!;
    expect(steps).toContain('On orange: replace the server there too');
    expect(steps).toContain('On cherry, the new machine:');
    expect(steps).toContain('cherry joins as a learner');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Close', hidden: true }));
    // the Server status screen keeps the list until the triad is whole again
    const panel = await screen.findByTestId('pending-replacement');
    expect(panel.textContent).toContain('Replacing banana (host id 111dead) by cherry (host id 222beef)');
    expect(panel.textContent).toContain('On orange: replace the server there too');
  });

  it('refuses a file that changes more than one member, and shows the server\'s refusal in its own words', async () => {
    const fake = fakeServer({
      'license.check': ({ text }) =>
        text.includes('grape')
          ? report({ membership: membership('other', [0, 2], 'the lines name more than one new machine. Only `triad quorum-reset --yes` serves it.') })
          : report({ membership: membership('replace-one', [2], 'a new machine in place of a member.') }),
      'triad.replaceServer': () => ({
        code: 'invalid-license',
        message:
          "Nothing was replaced: license-new.lic: no trusted key of vendor ibmratl verifies its lines: add ibmratl's public key under Trusted vendor keys.",
      }),
    });
    render(<App transport={fake.transport} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Replace a server…' }));
    const dialog = await findDialog();
    await userEvent.upload(within(dialog).getByTestId('replace-license-input'), file('two.lic', newText.replace('apple', 'grape')));
    const verdict = await within(dialog).findByTestId('replace-verdict');
    expect(verdict.textContent).toContain('Not one server replaced');
    expect(verdict.textContent).toContain('triad quorum-reset --yes');
    expect(within(dialog).getByRole('button', { name: 'Replace', hidden: true })).toHaveProperty('disabled', true);

    await userEvent.upload(within(dialog).getByTestId('replace-license-input'), file('license-new.lic', newText));
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Replace banana by cherry', hidden: true }));
    expect((await within(dialog).findByRole('alert', { hidden: true })).textContent).toContain(
      "no trusted key of vendor ibmratl verifies its lines: add ibmratl's public key under Trusted vendor keys",
    );
    expect(within(dialog).queryByTestId('replacement-steps')).toBeNull();
  });

  it('from License files: an import refused as a new member offers the replacement with that file', async () => {
    window.location.hash = '#/licenses';
    const fake = fakeServer({
      'license.check': ({ replace }) => {
        const view = membership('replace-one', [2], 'SERVER line 3 (tertiary): banana -> cherry: a new machine in place of a member.');
        // the import's check refuses the change of members; the replacement's does not
        return replace
          ? report({ membership: view })
          : report({ membership: view, errors: [{ severity: 'error', line: 3, column: 1, message: 'its SERVER lines name other machines', hint: null }] });
      },
    });
    render(<App transport={fake.transport} />);
    await userEvent.upload(await screen.findByTestId('license-file-input'), file('license-new.lic', newText));
    await userEvent.click(await screen.findByRole('button', { name: 'Replace a server with this file…' }));
    const dialog = await findDialog();
    expect((await within(dialog).findByTestId('member-line-3')).textContent).toContain('cherry (host id 222beef) (new)');
    await waitFor(() => expect(fake.callsOf('license.check').at(-1)).toEqual({ fileName: 'license-new.lic', text: newText, replace: true }));
    expect(within(dialog).getByRole('button', { name: 'Replace banana by cherry', hidden: true })).toHaveProperty('disabled', false);
  });

  it('Server status says which member is catching up and not in the quorum yet', async () => {
    const status = triadStatus();
    status.members[2] = { ...status.members[2]!, up: true, learner: true, problem: null, heartbeatRttMs: 0.5 };
    const fake = fakeServer({ 'status.get': () => status });
    render(<App transport={fake.transport} />);
    const note = await screen.findByTestId('learner-tertiary');
    expect(note.textContent).toContain('banana (tertiary) joined as a learner and is not in the quorum yet');
    expect(note.textContent).toContain('catches up from the master');
    expect(screen.getByTestId('member-tertiary').textContent).toContain('UP · CATCHING UP');
  });
});
