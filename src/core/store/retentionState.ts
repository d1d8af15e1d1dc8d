/**
 * Log retention's settings and bookkeeping, kept in the settings table so they change in the
 * same transactions as the rows they describe.
 */
import { z } from 'zod';
import { defaultRetentionSettings, retentionSettingsSchema, type LogName, type RetentionSettings } from '../../shared/logRetention';
import type { CarriedLease } from '../../shared/userUsage';
import type { SettingsRepository } from './settings';

/** Where rotation of one log stands. */
export interface LogRotationState {
  /** Rows up to this id are in an archive file (or were dropped with archives off): never archived again. */
  archivedThroughId: number;
  /** Time of the newest row removed from the table; null while none was. */
  rotatedThroughMs: number | null;
  /** Report log: seats each feature had out after the removed rows (the usage replay starts from them). */
  carriedSeats: Record<string, number>;
  /** Report log: the same seats by lease, with user and feature (the per-user report starts from them). */
  carriedLeases: Record<string, CarriedLease>;
}

const rotationStateSchema = z.object({
  archivedThroughId: z.number().int().nonnegative(),
  rotatedThroughMs: z.number().nullable(),
  carriedSeats: z.record(z.string(), z.number().int()),
  // absent in states saved before the per-user report carried leases
  carriedLeases: z
    .record(z.string(), z.object({ user: z.string(), feature: z.string(), count: z.number().int(), sinceMs: z.number() }))
    .default({}),
});

const noRotation: LogRotationState = { archivedThroughId: 0, rotatedThroughMs: null, carriedSeats: {}, carriedLeases: {} };

const SETTINGS_KEY = 'logRetention';
const stateKey = (log: LogName) => `logRetention.state.${log}`;

export interface RetentionStateRepository {
  /** The stored settings, or the defaults when none (or a hand-edited, invalid value) are stored. */
  settings(): RetentionSettings;
  saveSettings(value: RetentionSettings): void;
  state(log: LogName): LogRotationState;
  saveState(log: LogName, state: LogRotationState): void;
}

export function createRetentionStateRepository(settings: SettingsRepository): RetentionStateRepository {
  return {
    settings: () => settings.read(SETTINGS_KEY, retentionSettingsSchema, defaultRetentionSettings),
    saveSettings: (value) => settings.set(SETTINGS_KEY, retentionSettingsSchema.parse(value)),
    state: (log) => settings.read(stateKey(log), rotationStateSchema, noRotation),
    saveState: (log, state) => settings.set(stateKey(log), state),
  };
}
