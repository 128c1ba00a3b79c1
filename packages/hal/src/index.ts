export * from './can-bus';
export * from './digital-output';
export * from './byte-link';
export * from './clock';
export * from './manual-clock';
export * from './logger';
export * from './reconnect-policy';
export * from './reconnector';
