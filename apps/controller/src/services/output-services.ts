import { startCanOutput } from '../can';
import { startMqttOutput } from '../mqtt';
import { startHttpOutput } from '../http';
import type { ServiceFactory } from './controller-context';

/** Every output the daemon starts beside the relays, in start order. */
export const OUTPUT_SERVICES: readonly ServiceFactory[] = [startCanOutput, startMqttOutput, startHttpOutput];
