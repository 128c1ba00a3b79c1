export * from './controller-context';
export * from './output-services';
export * from './output-settings-checks';
