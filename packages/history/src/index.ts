export * from './history-sample';
export * from './downsample';
