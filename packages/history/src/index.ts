export * from './history-sample';
export * from './downsample';
export * from './sqlite-history-store';
export * from './history-recorder';
export * from './history-config';
