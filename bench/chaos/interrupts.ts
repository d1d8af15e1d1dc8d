/**
 * Cleanup on Ctrl-C or SIGTERM: a drill registers how to stop its processes and remove its
 * folders; the first signal runs every registered cleanup (newest first), then exits with the
 * shell's code for that signal (130, 143). A second signal exits at once.
 */

type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let installed = false;

/** Registers a cleanup; call the returned function once the drill has cleaned up itself. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const at = cleanups.indexOf(cleanup);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

export function installInterruptHandlers(log: (line: string) => void): void {
  if (installed) return;
  installed = true;
  let interrupted = false;
  const handle = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) process.exit(code);
    interrupted = true;
    log(`${signal}: stopping the drill's processes and removing its files`);
    void (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      process.exit(code);
    })();
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
