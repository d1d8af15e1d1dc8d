export * from './frame';
export * from './codec';
export * from './messages';
export * from './ports';
export { serverStatusSchema } from './statusSchema';
