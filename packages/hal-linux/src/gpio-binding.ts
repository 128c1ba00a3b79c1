import { nativeAddonPath } from './native-addon';

/**
 * The system calls behind {@link openGpioOutputs} and {@link openGpioInputs}: the native addon
 * (native/gpio.c) in production, a fake chip in tests. Failures are thrown as errors with a positive `errno` and the `syscall`.
 */
export interface GpioBinding {
  /**
   * Opens `chipPath`, requests `offsets` as outputs, all inactive, for `consumer` (shown by
   * `gpioinfo`), with the kernel inverting the levels when `activeLow`; returns the request's fd.
   */
  requestOutputLines(
    chipPath: string,
    offsets: readonly number[],
    consumer: string,
    activeLow: boolean,
  ): number;
  /** Drives the line at position `index` of the request to active or inactive. */
  setLineValue(fd: number, index: number, active: boolean): void;
  /**
   * Opens `chipPath` and requests `offsets` as inputs for `consumer`, with the kernel inverting
   * the levels when `activeLow` and setting the line's `bias`; returns the request's fd.
   */
  requestInputLines(
    chipPath: string,
    offsets: readonly number[],
    consumer: string,
    activeLow: boolean,
    bias: GpioBias,
  ): number;
  /** Whether the line at position `index` of the request is active. */
  getLineValue(fd: number, index: number): boolean;
  /** Closes the request; the kernel frees its lines. */
  releaseLines(fd: number): void;
}

/**
 * An input line's pull resistor: 'as-is' leaves what the firmware or device tree set (no flag in
 * the request); the others are GPIO_V2_LINE_FLAG_BIAS_PULL_UP, _PULL_DOWN and _DISABLED.
 */
export type GpioBias = 'as-is' | 'pull-up' | 'pull-down' | 'disabled';

/** What the addon was compiled against, from <linux/gpio.h>. */
export interface GpioAbi {
  readonly getLineIoctl: number;
  readonly setValuesIoctl: number;
  readonly getValuesIoctl: number;
  readonly lineRequestSize: number;
  readonly lineValuesSize: number;
  readonly linesMax: number;
}

export interface NativeGpioBinding extends GpioBinding {
  readonly abi: GpioAbi;
}

/** The GPIO addon's file (see {@link nativeAddonPath}). */
export function nativeGpioAddonPath(): string {
  return nativeAddonPath('tsbms_gpio');
}

let loaded: NativeGpioBinding | undefined;

/** Loads the addon once; throws Node's error (MODULE_NOT_FOUND...) when it is not built. */
export function loadNativeGpioBinding(): NativeGpioBinding {
  loaded ??= require(nativeGpioAddonPath()) as NativeGpioBinding;
  return loaded;
}
