export * from './frame';
export * from './codec';
export * from './messages';
export * from './ports';
export { serverStatusSchema } from './statusSchema';
export { denial, notMasterDenial, MEMBER_NOT_SERVING_MAJOR, type Denial, type DenialCode } from './denial';
