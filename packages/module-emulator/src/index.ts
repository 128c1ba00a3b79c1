export * from './balance-timer';
export {
  Bq76pl536a,
  REGISTER_COUNT,
  type ChipCounters,
  type ChipInputs,
  type ExecuteResult,
} from './bq76pl536a';
export * from './emulated-chain';
export type { CellSnapshot, ModuleSnapshot, ThermistorFault, ThermistorSnapshot } from './emulated-module';
export * from './errors';
export * from './fault-spec';
export type { LineNoiseCounters } from './line-noise';
export * from './module-physics';
export * from './ocv-curve';
export * from './physics-constants';
export * from './prng';
export * from './rate-mismatched-link';
export * from './protection';
export * from './request-framer';
export * from './uart-sampling';
export * from './wire-timing';
