import type { OutputContext } from '@tsbms/bms-core';
import type { MqttOutputSettings } from '../mqtt-config';
import { MqttOutput, startMqttOutput } from '../mqtt-output';

/** What stops everything a test started when it ends (test-support's Scope is one). */
export interface CleanupScope {
  add(cleanup: () => Promise<void>): void;
}

/** The output started on `context` and stopped with the test's scope; a test of it needs it on. */
export async function startOutputInScope(
  scope: CleanupScope,
  context: OutputContext<MqttOutputSettings>,
): Promise<MqttOutput> {
  const output = await startMqttOutput(context);
  if (!(output instanceof MqttOutput)) throw new Error('the MQTT output did not start');
  scope.add(() => output.stop());
  return output;
}

/** For `eventually`: the output is connected to its broker. */
export const connected = (output: MqttOutput) => () => output.status().state === 'ok';

/** For `eventually`'s failure message: the output's status as it is. */
export const describeStatus = (output: MqttOutput) => () => JSON.stringify(output.status());
