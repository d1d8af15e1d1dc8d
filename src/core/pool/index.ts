export * from './types';
export { buildPools, poolKeyOf, expiresAtMs, issuedSeats, licensedSeats } from './pools';
export { PoolSet, policyFeatureOf, type CheckoutDecision, type IdlePolicy, type RemoveTarget } from './poolSet';
export { leaseSchema, leaseOpSchema, type LeaseOp } from './leaseOp';
