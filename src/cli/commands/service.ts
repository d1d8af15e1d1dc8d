import { existsSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';

/**
 * `triad service install | uninstall`: a systemd unit that runs `triad serve` at boot, so the
 * license server keeps serving with nobody logged in (Linux). Windows: the installer's
 * "Run the license server as a Windows service" choice, or the app's tray menu.
 */

export interface UnitOptions {
  node: string;
  cli: string;
  license: string;
  dataDir: string;
  user: string | null;
  /** Publisher public keys the server trusts (`--trust`), absolute paths. */
  trust: readonly string[];
}

const quote = (arg: string) => (/[\s"\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg);

export function systemdUnit(o: UnitOptions): string {
  return [
    '[Unit]',
    'Description=Triad License Server (FlexLM-compatible floating licenses)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[o.node, o.cli, 'serve', '-c', o.license, '--data', o.dataDir, ...o.trust.flatMap((key) => ['--trust', key])].map(quote).join(' ')}`,
    ...(o.user ? [`User=${o.user}`] : []),
    // systemd creates a data folder under /var/lib for the service's account (mode 0700)
    ...(stateDirectory(o.dataDir) ? [`StateDirectory=${stateDirectory(o.dataDir)}`, 'StateDirectoryMode=0700'] : []),
    // lmdown ends the server with exit 0: an administrator's stop is not restarted.
    'Restart=on-failure',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function stateDirectory(dataDir: string): string | null {
  const relative = path.posix.relative('/var/lib', dataDir);
  return relative !== '' && !relative.startsWith('..') && !path.posix.isAbsolute(relative) ? relative : null;
}

const unitName = (name: string) => (name.endsWith('.service') ? name : `${name}.service`);

export const serviceCommand: CommandModule = (program) => {
  const service = program.command('service').description('run the license server at boot (systemd unit for `triad serve`)');
  service
    .command('install')
    .description('write a systemd unit that runs `triad serve` at boot')
    .requiredOption('-c <license>', 'license file the service serves')
    .option('--data <dir>', 'data folder of the service', '/var/lib/triad')
    .option('--user <user>', 'account the server runs as (default: root)')
    .option(
      '--trust <file>',
      'publisher public key (NAME.pub) the server trusts, as for `triad serve --trust`; repeat for several',
      (file: string, all: string[]) => [...all, file],
      [] as string[],
    )
    .option('--name <name>', 'unit name', 'triad')
    .option('--unit-dir <dir>', 'where unit files go', '/etc/systemd/system')
    .option('--print', 'print the unit instead of writing it')
    .action((opts: { c: string; data: string; user?: string; trust: string[]; name: string; unitDir: string; print?: boolean }) => {
      if (process.platform === 'win32') {
        throw new CliError('On Windows, choose "Run the license server as a Windows service" in the installer or in the app\'s tray menu.', 2);
      }
      const license = path.resolve(opts.c);
      if (!existsSync(license)) throw new CliError(`-c ${opts.c}: no such file; give the license file the service should serve`, 2);
      const trust = opts.trust.map((file) => path.resolve(file));
      for (const [i, file] of trust.entries())
        if (!existsSync(file)) throw new CliError(`--trust ${opts.trust[i]}: no such file; give the vendor's public key (NAME.pub)`, 2);
      const unit = systemdUnit({
        node: process.execPath,
        cli: realpathSync(process.argv[1]!),
        license,
        dataDir: path.resolve(opts.data),
        user: opts.user ?? null,
        trust,
      });
      if (opts.print) {
        process.stdout.write(unit);
        return;
      }
      const file = path.join(opts.unitDir, unitName(opts.name));
      try {
        writeFileSync(file, unit, { mode: 0o644 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied; run it with sudo' : (error as Error).message;
        throw new CliError(`cannot write ${file}: ${why}`, 1);
      }
      process.stdout.write(
        `Wrote ${file}. Start it now and at every boot with:\n  sudo systemctl daemon-reload && sudo systemctl enable --now ${unitName(opts.name)}\n`,
      );
    });
  service
    .command('uninstall')
    .description('remove the systemd unit written by `triad service install`')
    .option('--name <name>', 'unit name', 'triad')
    .option('--unit-dir <dir>', 'where unit files go', '/etc/systemd/system')
    .action((opts: { name: string; unitDir: string }) => {
      const file = path.join(opts.unitDir, unitName(opts.name));
      if (!existsSync(file)) throw new CliError(`${file} does not exist: nothing to remove`, 1);
      process.stdout.write(`First stop it: sudo systemctl disable --now ${unitName(opts.name)}\n`);
      try {
        rmSync(file);
      } catch (error) {
        throw new CliError(`cannot remove ${file}: ${(error as Error).message}; run it with sudo`, 1);
      }
      process.stdout.write(`Removed ${file}. Then: sudo systemctl daemon-reload\n`);
    });
};
