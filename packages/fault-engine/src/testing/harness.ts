import {
  buildBatteryModelConfig,
  initialPackModel,
  type PackModel,
  updatePackModel,
} from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import type { ModuleReading, PackReading } from '@tsbms/pack-reading';
import type { SchedulerLike } from 'rxjs';
import { buildFaultEngineConfig, type FaultEngineConfigInput } from '../config';
import { FaultEngine } from '../fault-engine';
import {
  type ActiveFault,
  FAULT_LEVELS,
  type FaultEvent,
  type FaultInput,
  type FaultKind,
  type FaultLevel,
  type FaultSet,
  type PersistedFaults,
} from '../types';

/** A clock the test moves by hand; the engine only reads `now()`. */
export class HandClock implements SchedulerLike {
  nowMs = 0;
  now(): number {
    return this.nowMs;
  }
  schedule(): never {
    throw new Error('the fault engine must not schedule work');
  }
}

export type ModulePatch = (address: number) => Partial<ModuleReading>;
export type StepExtras = Omit<FaultInput, 'pack'> &
  Pick<PackReading, 'currentA' | 'busVoltageV' | 'checkCurrentA'>;

/** Drives the real battery model and the engine through scans in hand-moved time. */
export class Harness {
  readonly clock = new HandClock();
  readonly engine: FaultEngine;
  private model: PackModel;
  private current!: FaultSet;

  constructor(
    config: FaultEngineConfigInput = {},
    readonly moduleCount = 2,
    persisted?: PersistedFaults,
  ) {
    this.model = initialPackModel(buildBatteryModelConfig({ moduleCount, parallelStringCount: 1 }));
    this.engine = new FaultEngine(buildFaultEngineConfig(config), { scheduler: this.clock, persisted });
    this.engine.faults$.subscribe((set) => (this.current = set));
  }

  /** One scan at the current time. */
  scan(patch: ModulePatch = () => ({}), extras: StepExtras = {}): ActiveFault[] {
    const { currentA, busVoltageV, checkCurrentA, ...inputs } = extras;
    this.model = updatePackModel(
      this.model,
      makePackReading(this.clock.nowMs, this.moduleCount, patch, { currentA, busVoltageV, checkCurrentA }),
    );
    const pack = this.model.pack;
    if (pack === null) throw new Error('the battery model produced no pack state');
    return [...this.engine.evaluate({ pack, ...inputs }).faults];
  }

  /** Scans every `periodMs` for `durationMs` (first scan one period from now). */
  run(
    durationMs: number,
    patch: ModulePatch = () => ({}),
    extras: StepExtras = {},
    periodMs = 500,
  ): ActiveFault[] {
    let faults: ActiveFault[] = [];
    for (let t = periodMs; t <= durationMs; t += periodMs) {
      this.clock.nowMs += periodMs;
      faults = this.scan(patch, extras);
    }
    return faults;
  }

  /** Active levels of `kind` (anywhere), highest first. */
  levels(kind: FaultKind): FaultLevel[] {
    return FAULT_LEVELS.filter((l) => this.current.faults.some((f) => f.kind === kind && f.level === l));
  }

  active(kind: FaultKind, level: FaultLevel): ActiveFault | undefined {
    return this.current.faults.find((f) => f.kind === kind && f.level === level);
  }

  events(type?: FaultEvent['type']): FaultEvent[] {
    return this.engine.eventLog().filter((e) => type === undefined || e.type === type);
  }
}

/** One cell (module 1, cell 0) at `v`, the rest at 3.9 V. */
export const cell =
  (v: number | null, address = 1): ModulePatch =>
  (a) =>
    a === address ? { cellVoltagesV: [v, 3.9, 3.9, 3.9, 3.9, 3.9] } : {};

/** Both thermistors of module 1 at `c`. */
export const temperature =
  (c: number | null, address = 1): ModulePatch =>
  (a) =>
    a === address ? { temperaturesC: [c, 25] } : {};
