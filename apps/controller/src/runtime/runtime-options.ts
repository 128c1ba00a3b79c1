import type { ByteLink, Clock, DigitalOutput, Logger } from '@tsbms/hal';
import type { BatteryModelConfig } from '@tsbms/battery-model';
import type { FaultEngineConfig } from '@tsbms/fault-engine';
import type { ControlConfig } from '@tsbms/control';
import type { HardwareThresholds } from '@tsbms/tesla-protocol';
import type { PersistedRuntimeState } from './persisted-state';
import type { OutputsStatus, StateFileStatus } from './status-snapshot';

/** The relays and lamps the runtime drives; an absent output (no pin configured) is simply left out. */
export interface RuntimeOutputs {
  readonly contactorNegative?: DigitalOutput;
  readonly contactorPrecharge?: DigitalOutput;
  readonly contactorPositive?: DigitalOutput;
  readonly heater?: DigitalOutput;
  /** Lit while the BMS runs with every module found and no fault-level condition. */
  readonly statusLed?: DigitalOutput;
}

/** The validated library configurations (the config module's `LibraryConfigs`). */
export interface RuntimeLibraryConfigs {
  readonly batteryModel: BatteryModelConfig;
  readonly faultEngine: FaultEngineConfig;
  readonly control: ControlConfig;
  readonly hardwareThresholds: HardwareThresholds;
}

/** Runtime settings that belong to no library. Module count, poll interval and comms timeout come from `control`. */
export interface RuntimeSettings {
  /** Write COV/CUV/OT into the boards at setup (T-18); otherwise setup only clears latched bits. */
  readonly programHardwareThresholds: boolean;
  readonly readWithCrc: boolean;
  readonly replyTimeoutMs: number;
  /** Discovery retry and recovery interval (T-16, B-44). Default 5 s. */
  readonly discoveryRetryS?: number;
  /** Re-send of ADC_CONTROL / IO_CONTROL / CB_TIME (T-17). Default 60 s. */
  readonly controlBroadcastIntervalS?: number;
}

export interface ControllerRuntimeOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly outputs: RuntimeOutputs;
  readonly libraries: RuntimeLibraryConfigs;
  readonly settings: RuntimeSettings;
  /** Saved by a previous run (`persistedState()`); null or absent = a fresh start. */
  readonly persisted?: PersistedRuntimeState | null;
  /** The outputs beside the relays (CAN, MQTT, HTTP) report here for `status().outputs`. */
  readonly outputStatus?: () => OutputsStatus;
  /** The state file's health for `status().stateFile`; absent = no state file. */
  readonly stateFileStatus?: () => StateFileStatus;
  /** When a core before this one last opened energised contactors (B-11 lockout across restarts). */
  readonly contactorsLastOpenedAtMs?: number | null;
}

export const DEFAULT_DISCOVERY_RETRY_S = 5;
export const DEFAULT_CONTROL_BROADCAST_INTERVAL_S = 60;
