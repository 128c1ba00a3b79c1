// A strict TypeScript consumer (node16 resolution), type-checked against the shipped declarations.
import { systemClock, type ByteLink } from '@tsbms/hal';
import { EmulatedChain } from '@tsbms/module-emulator';
import { TeslaBus, discoverModules, PackScanner } from '@tsbms/tesla-protocol';
import {
  buildBatteryModelConfig,
  initialPackModel,
  updatePackModel,
  type PackState,
} from '@tsbms/battery-model';
import type { PackReading } from '@tsbms/pack-reading';
import { createBms, type BmsStatus } from '@tsbms/bms-core';
import { FakePackSource } from '@tsbms/bms-core/testing';

export async function scanOnce(link: ByteLink): Promise<PackState | null> {
  const bus = new TeslaBus(link, { clock: systemClock });
  const found = await discoverModules(bus, { clock: systemClock, expectedCount: 2 });
  const reading: PackReading = await new PackScanner(bus, { clock: systemClock }).scanPack(found.addresses);
  const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });
  return updatePackModel(initialPackModel(config), reading).pack;
}

export const chain = new EmulatedChain({ clock: systemClock, modules: 2 });
export type Exported = [typeof createBms, typeof FakePackSource, BmsStatus['packVoltageV']];
