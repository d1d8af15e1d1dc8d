import type { FeatureStatus } from '../../src/shared/status';

/** A served floating pool of `name` from vendor ibmratl, version 1.0, permanent, nothing issued or in use; `fields` change any of it. */
export function featureStatus(fields: Partial<FeatureStatus> & Pick<FeatureStatus, 'name'>): FeatureStatus {
  return {
    vendor: 'ibmratl',
    version: '1.0',
    expiry: 'permanent',
    issued: 0,
    inUse: 0,
    kind: 'floating',
    lockedTo: null,
    vendorString: null,
    served: true,
    notServedReason: null,
    users: [],
    reservations: [],
    ...fields,
  };
}
