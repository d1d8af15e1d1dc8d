/** An error a person caused (bad flag, missing file). Printed as one message, never a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
  }
}
