export * from './tesla-core';
