/** Errors a person can fix, as every host shows them (the composition root raises them: backend.ts). */
export class BackendError extends Error {}

/**
 * The license file now describes other license servers than the running process serves (single
 * to triad, triad to single, another triad, this machine on none of its lines): it can only be
 * served by stopping and starting again, never by a reread in place.
 */
export class RestartRequired extends BackendError {}
