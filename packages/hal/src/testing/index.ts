export * from './recording-logger';
export * from './contract';
export * from './guest-results';
export * from './byte-link-contract';
export * from './can-bus-contract';
export * from './i2c-bus-contract';
export * from './fakes';
export * from './invalid-argument';
