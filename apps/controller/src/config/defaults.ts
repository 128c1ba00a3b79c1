import { parseControllerConfig } from './parse-config';
import type { ControllerConfig } from './schema';

/** Every setting at its default: what the controller runs with when no config file is given. */
export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = parseControllerConfig({}, 'defaults');
