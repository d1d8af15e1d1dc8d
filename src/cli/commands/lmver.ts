import { readFileSync } from 'node:fs';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { SERVER_VERSION } from '../../core/backend';
import { flexnetPlatform } from '../../core/lmstat';

/** What FlexNet programs carry as their version, newest form first (`lmver lmgrd`). */
const VERSION_STRINGS = [/FlexNet Licensing v\d+(?:\.\d+)+ build \d+ \w+/, /FLEX(?:net|lm) (?:Licensing )?v\d+(?:\.\d+)+[\w.]*/i];

/** `lmver [FILE]`: the FlexNet version a binary was built with, or Triad's own without a file. */
export const lmverCommand: CommandModule = (program) => {
  program
    .command('lmver')
    .description("Print the FlexNet version a program (lmgrd, a vendor daemon, lmutil) was built with; without FILE, Triad's own")
    .argument('[file]', 'a FlexNet-enabled program')
    .action((file: string | undefined) => {
      if (file === undefined) {
        process.stdout.write(`Triad License Server ${SERVER_VERSION} build 0 ${flexnetPlatform(process.platform, process.arch)}\n`);
        return;
      }
      let text: string;
      try {
        text = readFileSync(file, 'latin1');
      } catch (error) {
        throw new CliError(`lmver: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, 1);
      }
      const found = VERSION_STRINGS.map((pattern) => pattern.exec(text)?.[0]).find(Boolean);
      if (!found) throw new CliError(`lmver: no FlexNet version string in ${file}; give lmgrd, a vendor daemon or lmutil`, 1);
      process.stdout.write(`${found}\n`);
    });
};
