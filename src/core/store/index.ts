export { databaseReplaced, recordDatabaseIdentity } from './databaseIdentity';
export { openStore, openMemoryStore, databaseFile, type Store, type MemoryStore } from './store';
export { StoreError } from './storeError';
export { migrations, applyMigrations } from './migrations';
export {
  loadOrCreateAdminToken,
  readClusterSecret,
  loadOrCreateClusterSecret,
  importClusterSecret,
  adminTokenFile,
  clusterSecretFile,
  type ImportResult,
} from './secrets';
export { sha256Hex, type LicenseFileRecord, type LicenseFilesRepository } from './licenseFiles';
export type { SettingsRepository } from './settings';
export type { TrustedKey, TrustedKeysRepository } from './trustedKeys';
export type { SearchEntry, SearchEntryInput, SearchEntryType, SearchListRepository, SearchListResult, ServerAddress } from './searchList';
export type { DebugLogEntry, DebugLogQuery, DebugLogRepository } from './debugLog';
export type { ReportEvent, ReportLogEntry, ReportLogQuery, ReportLogRepository } from './reportLog';
export type { LeasesRepository } from './leases';
export type { LogEntry, QuorumPersistentState, QuorumSnapshot, QuorumStateRepository } from './quorumState';
export type { AuditEntry, AuditRepository } from './audit';
export type { VerifiedSignaturesRepository } from './verifiedSignatures';
export type { LogRange } from './logQuery';
