export * from './types';
export { denial, notMasterDenial, type Denial, type DenialCode } from './denial';
export { buildPools, poolKeyOf, expiresAtMs, issuedSeats, licensedSeats } from './pools';
export { PoolSet, policyFeatureOf, type CheckoutDecision, type IdlePolicy, type RemoveTarget } from './poolSet';
export { leaseSchema, leaseOpSchema, type LeaseOp } from './leaseOp';
