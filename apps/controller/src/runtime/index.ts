export * from './tesla-core';
export * from './session-core';
export * from './session-tasks';
export * from './current-sensor';
