export * from './can-bus';
export * from './byte-link';
export * from './clock';
export * from './manual-clock';
export * from './fakes';
