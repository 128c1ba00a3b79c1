export * from './tesla-core';
export * from './session-core';
