export * from './tesla-core';
export * from './session-core';
export * from './session-tasks';
