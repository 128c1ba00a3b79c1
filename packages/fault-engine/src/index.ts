export * from './types';
export * from './config';
export * from './level-tracker';
export * from './rules';
export * from './fault-engine';
export * from './state-lost';
