export * from './types';
export * from './messages';
export * from './inputs';
export * from './ready';
export * from './timing';
export { logLines } from './logLines';
export {
  QuorumMachine,
  DEFAULT_LOG_MEMORY_ENTRIES,
  type LogCompaction,
} from './machine';
export type { QuorumState, PeerState } from './state';
export type { QuorumStatusView, PeerStatusView } from './quorumStatus';
export { LogWindow, type LogReader } from './logWindow';
export { DEFAULT_SNAPSHOT_SETTINGS, snapshotChunks } from './snapshot';
