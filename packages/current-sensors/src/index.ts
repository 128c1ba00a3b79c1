export * from './current-sensor-error';
export * from './ina226-registers';
export * from './ina226';
export * from './ads1115-registers';
export * from './ads1115';
export * from './emulated-ina226';
export * from './emulated-ads1115';
export * from './calibration';
