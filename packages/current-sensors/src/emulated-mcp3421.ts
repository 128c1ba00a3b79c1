import type { Clock } from '@tsbms/hal';
import type { I2cDeviceModel } from '@tsbms/hal/testing';
import { hallInputVoltageV, type HallTransducer } from './hall-transducer';
import {
  decodeMcp3421Configuration,
  encodeMcp3421Result,
  MCP3421_NOT_READY_BIT,
  MCP3421_POWER_ON_CONFIGURATION,
  mcp3421OutputCode,
  mcp3421ReadLength,
  mcp3421SamplesPerSecond,
} from './mcp3421-registers';

/**
 * An MCP3421 at the wire level for a MemoryI2cBus (datasheet DS22003E), with a hall transducer on
 * its input: a write sets the configuration byte and restarts conversion; in continuous mode a
 * conversion completes every 1 / (samples per second) on `clock`; a read returns the result (two or
 * three sign-extended bytes) and then the configuration byte, repeated while the host reads on. RDY
 * reads 0 when a conversion completed since the last read, else 1 with the result read before.
 * A result converts the input as it is when read. One-shot mode is not modelled: the emulated chip
 * then makes no conversion at all.
 */
export class EmulatedMcp3421 implements I2cDeviceModel {
  private configurationByte = MCP3421_POWER_ON_CONFIGURATION & ~MCP3421_NOT_READY_BIT;
  private inputV = 0;
  private startedAtMs: number;
  private conversionsRead = 0;
  private code = 0;

  constructor(
    private readonly transducer: HallTransducer,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.startedAtMs = clock.now();
  }

  /** The current through the transducer: the input becomes its output through the divider. */
  setCurrent(currentA: number): void {
    this.inputV = hallInputVoltageV(currentA, this.transducer);
  }

  /** The voltage at the input (IN+ against IN−), for a reading beyond what a current gives. */
  setInputVoltage(volts: number): void {
    this.inputV = volts;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.configurationByte = bytes[0] & ~MCP3421_NOT_READY_BIT;
    this.startedAtMs = this.clock.now();
    this.conversionsRead = 0;
  }

  read(length: number): Uint8Array {
    const config = decodeMcp3421Configuration(this.configurationByte);
    const completed = config.continuous
      ? Math.floor(
          ((this.clock.now() - this.startedAtMs) * mcp3421SamplesPerSecond(config.resolutionBits)) / 1000,
        )
      : 0;
    const fresh = completed > this.conversionsRead;
    if (fresh) {
      this.code = mcp3421OutputCode(this.inputV, config);
      this.conversionsRead = completed;
    }
    const bytes = encodeMcp3421Result(
      { code: this.code, fresh, configurationByte: this.configurationByte },
      config.resolutionBits,
    );
    const last = mcp3421ReadLength(config.resolutionBits) - 1;
    return Uint8Array.from({ length }, (_, i) => bytes[Math.min(i, last)]);
  }
}
