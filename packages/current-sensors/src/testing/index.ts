export * from './emulated-ina226';
