import { sleepMs, type CanBus, type Clock } from '@tsbms/hal';
import type { CanObservation } from '@tsbms/commissioning';

/**
 * The inverter's frame on every profile's bus: a Victron GX's keep-alive (victron-can-bms.md V-6),
 * a Pylontech-speaking inverter's reply (pylontech-can.md P-9), a Sunny Island's battery view.
 */
export const INVERTER_FRAME_ID = 0x305;

export const DEFAULT_CAN_LISTEN_MS = 3000;

export interface CanCheckOptions {
  readonly iface: string;
  readonly clock: Clock;
  /** Opens the interface (hal-linux's SocketCanBus in the CLI; a memory bus in tests). */
  readonly openBus: (iface: string) => Promise<CanBus>;
  /** The kernel's bit rate of the interface, null when it has none (hal-linux's readCanBitRate). */
  readonly readBitRate: (iface: string) => Promise<number | null>;
  /** What the configured inverter profile uses, bit/s. */
  readonly expectedBitRate: number | null;
  readonly listenMs?: number;
}

/** Opens the interface, listens a few seconds for the inverter, and closes it again. Sends nothing. */
export async function observeCan(options: CanCheckOptions): Promise<CanObservation> {
  const { iface } = options;
  const listenMs = options.listenMs ?? DEFAULT_CAN_LISTEN_MS;
  const base = { iface, expectedBitRate: options.expectedBitRate, bitRate: null };
  let bus: CanBus;
  try {
    bus = await options.openBus(iface);
  } catch (error) {
    return {
      ...base,
      opened: false,
      error: reasonOf(error),
      listenedMs: 0,
      framesSeen: 0,
      inverterFramesSeen: 0,
    };
  }
  let framesSeen = 0;
  let inverterFramesSeen = 0;
  const listening = bus.frames$.subscribe((frame) => {
    framesSeen++;
    if (frame.id === INVERTER_FRAME_ID) inverterFramesSeen++;
  });
  await sleepMs(options.clock, listenMs);
  listening.unsubscribe();
  await bus.close();
  let bitRate: number | null = null;
  try {
    bitRate = await options.readBitRate(iface);
  } catch {
    // Unknown: the interface is up, `ip` could not say more.
  }
  return { ...base, bitRate, opened: true, listenedMs: listenMs, framesSeen, inverterFramesSeen };
}

/** The innermost message: SocketCanBus wraps "interface is down" in "cannot open CAN interface …". */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}
