export * from './emulated-ina226';
export * from './emulated-ads1115';
