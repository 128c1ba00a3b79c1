import type { Clock } from '@tsbms/hal';
import { ScriptedLink, type ScriptedLinkOptions } from '@tsbms/hal/testing';
import { cellVoltageToRaw, gpaiVoltageToRaw, temperatureToRaw } from '../conversions';
import { decodeRequest, encodeFrame, type ReadRequest, type WriteRequest } from '../frames';
import {
  BROADCAST_ADDRESS,
  cellRegister,
  DeviceStatus,
  isProtectedRegister,
  Register,
  REGISTER_RESET_VALUES,
  RESET_MAGIC,
  SHADOW_UNLOCK,
  TESLA_FACTORY_CONFIG,
  UNADDRESSED,
} from '../registers';

/**
 * Test support only (excluded from the library build): a minimal loop of bq76PL536A modules
 * behind a ScriptedLink, enough to drive discovery, scans and commands through real frames.
 * Frames pass the modules in chain order; an addressed module replies, an address-0 module
 * answers address-0 traffic (bit 7) and blocks the rest, and an unclaimed frame comes back
 * unchanged. The full emulator lives in module-emulator, which may not be imported here.
 */
export class FakeModule {
  readonly registers = new Uint8Array(0x50);
  address = UNADDRESSED;
  /** DEVICE_STATUS DRDY after a conversion. */
  dataReady = true;
  /** Protected writes that arrived without the unlock directly before them. */
  unlockViolations = 0;
  private unlocked = false;

  constructor() {
    this.reset();
    this.setMeasurements([3.7, 3.7, 3.7, 3.7, 3.7, 3.7], [25, 25]);
  }

  reset(): void {
    this.address = UNADDRESSED;
    this.unlocked = false;
    for (const [name, value] of Object.entries(REGISTER_RESET_VALUES))
      this.registers[Register[name as keyof typeof Register]] = value;
    this.registers.set(TESLA_FACTORY_CONFIG, Register.FUNCTION_CONFIG);
  }

  setMeasurements(
    cellsV: readonly number[],
    temperaturesC: readonly number[],
    gpaiV = cellsV.reduce((a, b) => a + b, 0),
  ): void {
    cellsV.forEach((v, i) => this.store16(cellRegister(i), cellVoltageToRaw(v)));
    this.store16(Register.TEMPERATURE1, temperatureToRaw(temperaturesC[0]));
    this.store16(Register.TEMPERATURE2, temperatureToRaw(temperaturesC[1]));
    this.store16(Register.GPAI, gpaiVoltageToRaw(gpaiV));
  }

  store16(register: number, raw: number): void {
    this.registers[register] = (raw >> 8) & 0xff;
    this.registers[register + 1] = raw & 0xff;
  }

  read(request: ReadRequest): number[] {
    const data = Array.from(this.registers.subarray(request.register, request.register + request.count));
    if (request.register === Register.DEVICE_STATUS) data[0] = this.deviceStatus();
    return data;
  }

  write(request: WriteRequest): void {
    const wasUnlocked = this.unlocked;
    this.unlocked = false;
    if (isProtectedRegister(request.register)) {
      if (!wasUnlocked) {
        this.unlockViolations++;
        return;
      }
    }
    switch (request.register) {
      case Register.RESET:
        if (request.value === RESET_MAGIC) this.reset();
        return;
      case Register.ADDRESS_CONTROL:
        this.address = request.value & 0x3f;
        break;
      case Register.SHDW_CTRL:
        this.unlocked = request.value === SHADOW_UNLOCK;
        return;
      case Register.ALERT_STATUS:
      case Register.FAULT_STATUS:
        // Latched bits: writing 1 then 0 clears them (the 1 is what clears, in this model).
        this.registers[request.register] &= ~request.value;
        return;
    }
    this.registers[request.register] = request.value;
  }

  private deviceStatus(): number {
    let status =
      this.registers[Register.DEVICE_STATUS] & ~(DeviceStatus.DRDY | DeviceStatus.ALERT | DeviceStatus.FAULT);
    if (this.dataReady) status |= DeviceStatus.DRDY;
    if (this.registers[Register.ALERT_STATUS]) status |= DeviceStatus.ALERT;
    if (this.registers[Register.FAULT_STATUS]) status |= DeviceStatus.FAULT;
    return status;
  }
}

export interface FakeModuleLoop {
  readonly link: ScriptedLink;
  readonly modules: FakeModule[];
}

export type LoopTamper = (written: Uint8Array, reply: number[] | null) => number[] | null;

/** A loop of `count` modules, already addressed 1..count unless `addressed` is false. */
export function createFakeModuleLoop(
  clock: Clock,
  count: number,
  options: {
    addressed?: boolean;
    /** Alters what comes back round the loop (fault injection). */
    tamper?: LoopTamper;
  } & Partial<ScriptedLinkOptions> = {},
): FakeModuleLoop {
  const modules = Array.from({ length: count }, () => new FakeModule());
  if (options.addressed ?? true) modules.forEach((m, i) => (m.address = i + 1));
  const link = new ScriptedLink({
    clock,
    replyDelayMs: options.replyDelayMs ?? 0,
    unmatched: 'loopback',
  });
  link.onWrite(
    () => true,
    (written) => {
      const reply = passThroughLoop(modules, written);
      return options.tamper ? options.tamper(written, reply) : reply;
    },
  );
  return { link, modules };
}

function passThroughLoop(modules: readonly FakeModule[], written: Uint8Array): number[] | null {
  const decoded = decodeRequest(written);
  if (!decoded.ok) return Array.from(written);
  const request = decoded.frame;
  if (request.kind === 'writeRequest' && request.address === BROADCAST_ADDRESS) {
    for (const module of modules) module.write(request);
    return Array.from(written);
  }
  for (const module of modules) {
    const addressed = module.address === request.address;
    if (module.address === UNADDRESSED && !addressed) return null; // blocks later modules
    if (!addressed) continue;
    const fromUnaddressed = module.address === UNADDRESSED;
    if (request.kind === 'readRequest') {
      const data = module.read(request);
      return Array.from(
        encodeFrame({
          kind: 'readReply',
          address: request.address,
          register: request.register,
          data,
          fromUnaddressed,
        }),
      );
    }
    module.write(request);
    return Array.from(encodeFrame({ ...request, kind: 'writeEcho', fromUnaddressed }));
  }
  return Array.from(written);
}
