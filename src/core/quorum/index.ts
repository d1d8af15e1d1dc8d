export * from './types';
export * from './messages';
export * from './effects';
export * from './timing';
export { logLines } from './logLines';
export { QuorumMachine, type QuorumState, type PeerState, type QuorumStatusView, type PeerStatusView } from './machine';
