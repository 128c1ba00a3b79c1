export * from './bms-supervisor';
export * from './runtime-state-file';
export * from './restart-scheduler';
