export * from './current-sensor-error';
export * from './ina226-registers';
export * from './ina226';
