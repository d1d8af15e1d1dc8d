export * from './frame';
export * from './codec';
export * from './messages';
export { serverStatusSchema } from './statusSchema';
