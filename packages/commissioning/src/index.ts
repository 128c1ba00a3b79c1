export * from './observations';
export * from './settings';
export * from './report-schema';
export { ALL_GOOD, diagnose } from './diagnose';
export { locateNoisyCable } from './rules/loop-rules';
export { moduleStats, type ModuleStats } from './module-stats';
export { HEAT_MAP_LEGEND, HEAT_MAP_SHADES, renderLinkHeatMap, type HeatMapOptions } from './heat-map';
export { formatDoctorReport, type FormatOptions } from './format-report';
