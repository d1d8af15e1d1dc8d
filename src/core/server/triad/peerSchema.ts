import { z } from 'zod';
import { leaseOpSchema, leaseSchema } from '../../pool/leaseOp';
import { peerMessageSchemaFor } from '../../quorum';

/**
 * Peer frames as this driver accepts them: the engine's messages (src/core/quorum/messages.ts)
 * with the payloads it carries for us checked, since they reach SQLite: a lease change's op and
 * a snapshot's seats (each replaces a row of the lease table).
 */
export const peerMessageSchema = peerMessageSchemaFor({ leaseChange: leaseOpSchema, seat: leaseSchema });

const licenseFile = { fileName: z.string().min(1).max(260), text: z.string().max(8_000_000) };

/**
 * A licenseSwitch op's payload: the license file as the admin imported it on the master, and
 * (`files`) every license file the members serve from now on; without `files` (an older master)
 * the one file replaces all others.
 */
export const distributedLicenseSchema = z.strictObject({ ...licenseFile, files: z.array(z.strictObject(licenseFile)).min(1).max(64).optional() });
export type DistributedLicense = z.infer<typeof distributedLicenseSchema>;
