import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/freePort';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';

/**
 * Issue 20: the README's "Set up a triad" walkthrough, followed word for word. Each step is read
 * from README.md itself: the commands of every `<!-- walkthrough: on MACHINE -->` block, the files
 * of `<!-- walkthrough: file PATH -->` blocks, and the copies between machines. The machines are
 * 127.0.0.1-3 (lic1-3) and a workstation (ws), each with its own home folder; the only changes
 * to the text are the ones three machines on one need: lic1/lic2/lic3 become their addresses,
 * 27000 a free port, /etc/triad and each machine's /var/lib/triad temporary folders, and the
 * sample's host ids this machine's.
 */

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const temp = makeTempDir('triad-walkthrough-');
const servers: TriadChild[] = [];
afterAll(async () => {
  await Promise.all(servers.map((child) => stopChild(child, 2_000)));
  temp.remove();
});

type Step =
  | { kind: 'run'; machines: string[]; commands: string[]; keepsRunning: boolean; until: string[] }
  | { kind: 'file'; file: string; text: string }
  | { kind: 'copy'; from: string; to: string[] };

/** The annotated steps of the walkthrough section, in order. */
function walkthroughSteps(): Step[] {
  const section = readme.slice(readme.indexOf('## Set up a triad'), readme.indexOf('### Security'));
  const steps: Step[] = [];
  const pattern = /<!-- walkthrough: (.+?) -->\n(?:[^`<]*?```\w*\n([\s\S]*?)```)?/g;
  for (const match of section.matchAll(pattern)) {
    const [, annotation, block = ''] = match as unknown as [string, string, string | undefined];
    if (annotation.startsWith('file ')) steps.push({ kind: 'file', file: annotation.slice('file '.length), text: block });
    else if (annotation.startsWith('copy ')) {
      const [from, to] = annotation.slice('copy '.length).split(' to ');
      steps.push({ kind: 'copy', from: from!, to: to!.split(', ') });
    } else {
      const [machines, ...notes] = annotation.replace(/^on /, '').split(/, (?=keeps|until)/);
      const until = notes.flatMap((note) => /^until "(.+)"$/.exec(note)?.[1] ?? []);
      const commands = block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
      steps.push({ kind: 'run', machines: machines!.split(', '), commands, keepsRunning: notes.includes('keeps running'), until });
    }
  }
  return steps;
}

/** A command line as the shell splits it: words, 'single' and "double" quotes, VAR=value prefixes. */
function shellWords(line: string): { env: Record<string, string>; words: string[] } {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_]+=/.test(words[0]!)) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  return { env, words };
}

describe('the README walkthrough "Set up a triad"', () => {
  it('works word for word on 127.0.0.1-3', async () => {
    const port = await freePort();
    const machines = ['lic1', 'lic2', 'lic3', 'lic4', 'ws'];
    // folders named by position: a folder called "lic1" would itself be rewritten below
    const folder = (machine: string) => path.join(temp.dir, `machine-${machines.indexOf(machine)}`);
    const home = (machine: string) => path.join(folder(machine), 'home');
    for (const machine of machines) mkdirSync(home(machine), { recursive: true });
    mkdirSync(path.join(temp.dir, 'etc'), { recursive: true });
    let hostid = '';
    const localised = (text: string, machine: string) =>
      text
        .replaceAll('/etc/triad', path.join(temp.dir, 'etc'))
        .replaceAll('/var/lib/triad', path.join(folder(machine), 'data'))
        .replace(/\blic([1234])\b/g, '127.0.0.$1')
        .replace(/\b27000\b/g, String(port))
        .replace(/\b7c2a91e04d3[1234]\b/g, hostid);
    const outputs: string[] = [];

    for (const step of walkthroughSteps()) {
      if (step.kind === 'file') {
        writeFileSync(localised(step.file, 'lic1'), localised(step.text, 'lic1'));
        continue;
      }
      if (step.kind === 'copy') {
        const [fromMachine, fromPath] = step.from.split(':') as [string, string];
        for (const target of step.to) {
          const [toMachine, toPath] = target.split(':') as [string, string];
          copyFileSync(localised(fromPath, fromMachine), path.resolve(home(toMachine), localised(toPath, toMachine)));
        }
        continue;
      }
      for (const machine of step.machines) {
        for (const line of step.commands) {
          const { env, words } = shellWords(localised(line, machine));
          expect(words[0], line).toBe('triad');
          const machineEnv = { ...env, HOME: home(machine), XDG_DATA_HOME: '', LM_LICENSE_FILE: env.LM_LICENSE_FILE ?? '' };
          if (step.keepsRunning) {
            const child = await spawnTriad(words.slice(1), machineEnv, { cwd: home(machine) });
            servers.push(child);
            await child.waitForLine(/ready on/);
            continue;
          }
          const deadline = Date.now() + 20_000;
          for (;;) {
            const child = await spawnTriad(words.slice(1), machineEnv, { cwd: home(machine) });
            const code = await child.exited;
            const out = child.stdout.join('\n');
            // a step that waits on lmstat waits too for every member that answers to be in the quorum
            const until = step.until.map((text) => localised(text, machine));
            const settled = until.length === 0 || !out.includes('not in the quorum');
            const done = code === 0 && settled && until.every((text) => out.includes(text));
            if (done || Date.now() > deadline) {
              expect(code, `${machine}$ ${line}\n${out}\n${child.stderr.join('\n')}`).toBe(0);
              for (const text of until) expect(out).toContain(text);
              if (until.length > 0) expect(out).not.toContain('not in the quorum');
              outputs.push(`${machine}$ ${line}\n${out}`);
              if (line === 'triad lmhostid -n') hostid = out.trim();
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      }
    }

    const transcript = outputs.join("\n");
    if (process.env.SHOW_WALKTHROUGH) console.log(transcript);
    expect(hostid).toMatch(/^[0-9a-f]{12}$/);
    expect(transcript).toMatch(/^127\.0\.0\.1: license server UP \(MASTER\)/m);
    expect(transcript).toMatch(/^127\.0\.0\.[23]: license server UP v/m);
    expect(transcript).toMatch(/reachable, triad master 127\.0\.0\.1/);
    expect(transcript).toMatch(/^GRANTED: "modeler"/m);
    expect(transcript).toMatch(/^IN: "modeler" checked in$/m);
    expect(transcript).toContain(`Stopped: ${port}@127.0.0.1, ${port}@127.0.0.2, ${port}@127.0.0.3`);
    expect(await Promise.all(servers.map((child) => child.exited))).toEqual(servers.map(() => 0));
  }, 120_000);
});
