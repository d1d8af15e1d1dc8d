/**
 * A problem with the data directory a person can fix (permissions, a damaged or foreign file).
 * The message says what is wrong, where, and what to do; callers show it without a stack.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
