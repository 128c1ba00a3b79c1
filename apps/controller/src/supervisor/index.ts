export * from './bms-supervisor';
export * from './runtime-state-file';
