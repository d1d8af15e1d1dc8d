export * from './types';
export * from './messages';
export * from './effects';
export * from './timing';
export { logLines } from './logLines';
export {
  QuorumMachine,
  DEFAULT_LOG_MEMORY_ENTRIES,
  type LogCompaction,
  type QuorumState,
  type PeerState,
  type QuorumStatusView,
  type PeerStatusView,
} from './machine';
export { LogWindow, type LogReader } from './logWindow';
export { DEFAULT_SNAPSHOT_SETTINGS, snapshotChunks } from './snapshot';
