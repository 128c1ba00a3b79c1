import { map } from 'rxjs';
import type { SessionTasks } from '@tsbms/bms-core';
import type { Clock, Logger } from '@tsbms/hal';
import type { EmulatedChain } from '@tsbms/module-emulator';
import type { ControllerConfig } from '../config';
import { runChargeCycle } from '../demo/charge-cycle';
import { ReadingsRecorder } from '../recording';

/**
 * What the controller runs beside each session's core: the recording (`recordFile`), and on the
 * demo's emulated pack the gentle charge/discharge cycle while the contactors are closed (which the
 * demo's emulated current sensor measures too).
 */
export function controllerSessionTasks(
  chain: EmulatedChain | null,
  clock: Clock,
  logger: Logger,
  setEmulatedCurrent: ((currentA: number) => void) | null = null,
): SessionTasks<ControllerConfig> {
  // The cycle's current flows through the emulated cells and the demo's emulated current sensor.
  const pack =
    chain === null
      ? null
      : {
          setPackCurrent(currentA: number) {
            chain.setPackCurrent(currentA);
            setEmulatedCurrent?.(currentA);
          },
        };
  // Kept across sessions, so a restart goes on appending to the same recording.
  let recorder: ReadingsRecorder | null = null;
  return (core, config) => {
    const tasks = [];
    if (config.recordFile !== null) {
      if (recorder?.file !== config.recordFile) recorder = new ReadingsRecorder(config.recordFile, logger);
      const current = recorder;
      tasks.push(core.source.readings$.subscribe((scan) => current.record(scan)));
    }
    if (pack !== null) {
      tasks.push(
        runChargeCycle(pack, core.bms.contactors$.pipe(map((c) => c.state === 'CLOSED')), {
          clock,
          amplitudeA: config.emulator.cycleCurrentA,
          periodS: config.emulator.cyclePeriodS,
        }),
      );
    }
    return tasks;
  };
}
