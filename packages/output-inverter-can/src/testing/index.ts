export * from './fake-can-bus';
export * from './pack-status';
