export * from './controller-context';
export * from './output-services';
