export * from './fake-http-context';
export * from './http-harness';
export * from './prometheus-text';
export * from './status-fixture';
export { apiRequests } from './api-requests';
