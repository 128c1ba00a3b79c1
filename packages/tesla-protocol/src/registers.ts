/** bq76PL536A register map (tesla-bq76pl536a.md §4). Multi-byte results are big-endian. */
export const Register = Object.freeze({
  DEVICE_STATUS: 0x00,
  GPAI: 0x01,
  VCELL1: 0x03,
  VCELL2: 0x05,
  VCELL3: 0x07,
  VCELL4: 0x09,
  VCELL5: 0x0b,
  VCELL6: 0x0d,
  TEMPERATURE1: 0x0f,
  TEMPERATURE2: 0x11,
  ALERT_STATUS: 0x20,
  FAULT_STATUS: 0x21,
  COV_FAULT: 0x22,
  CUV_FAULT: 0x23,
  PRESULT_A: 0x24,
  PRESULT_B: 0x25,
  ADC_CONTROL: 0x30,
  IO_CONTROL: 0x31,
  CB_CTRL: 0x32,
  CB_TIME: 0x33,
  ADC_CONVERT: 0x34,
  SHDW_CTRL: 0x3a,
  ADDRESS_CONTROL: 0x3b,
  RESET: 0x3c,
  TEST_SELECT: 0x3d,
  E_EN: 0x3f,
  FUNCTION_CONFIG: 0x40,
  IO_CONFIG: 0x41,
  CONFIG_COV: 0x42,
  CONFIG_COVT: 0x43,
  CONFIG_UV: 0x44,
  CONFIG_UVT: 0x45,
  CONFIG_OT: 0x46,
  CONFIG_OTT: 0x47,
  USER1: 0x48,
  USER2: 0x49,
  USER3: 0x4a,
  USER4: 0x4b,
} as const);

export type RegisterName = keyof typeof Register;

/** Reset values of the volatile registers (OTP-backed 0x40..0x4B come from OTP, see TESLA_FACTORY_CONFIG). */
export const REGISTER_RESET_VALUES: Readonly<Partial<Record<RegisterName, number>>> = Object.freeze({
  DEVICE_STATUS: 0x00,
  ALERT_STATUS: 0x80,
  FAULT_STATUS: 0x08,
  COV_FAULT: 0x00,
  CUV_FAULT: 0x00,
  PRESULT_A: 0x00,
  PRESULT_B: 0x00,
  ADC_CONTROL: 0x00,
  IO_CONTROL: 0x00,
  CB_CTRL: 0x00,
  CB_TIME: 0x00,
  ADC_CONVERT: 0x00,
  SHDW_CTRL: 0x00,
  ADDRESS_CONTROL: 0x00,
  RESET: 0x00,
  TEST_SELECT: 0x00,
  E_EN: 0x00,
});

/** First register of the scan block and its length: status, GPAI, 6 cells, 2 temperatures. */
export const SCAN_BLOCK_START = Register.DEVICE_STATUS;
export const SCAN_BLOCK_LENGTH = 0x13;
/** ALERT_STATUS, FAULT_STATUS, COV_FAULT, CUV_FAULT, read together when FAULT/ALERT is set (T-20). */
export const STATUS_BLOCK_START = Register.ALERT_STATUS;
export const STATUS_BLOCK_LENGTH = 4;
/** The protected (OTP-shadowed) group-3 registers: writes need SHDW_CTRL unlock (T-9). */
export const PROTECTED_REGISTER_FIRST = 0x40;
export const PROTECTED_REGISTER_LAST = 0x4f;
/** The thresholds block written at setup and read back for verification (T-17). */
export const CONFIG_BLOCK_START = Register.FUNCTION_CONFIG;
export const CONFIG_BLOCK_LENGTH = 8;

export const BROADCAST_ADDRESS = 0x3f;
export const UNADDRESSED = 0x00;
export const MIN_MODULE_ADDRESS = 0x01;
export const MAX_MODULE_ADDRESS = 0x3e;

/** Written to RESET: resets every module, address back to 0. */
export const RESET_MAGIC = 0xa5;
/** Written to SHDW_CTRL: allows the next single write to 0x40..0x4F. */
export const SHADOW_UNLOCK = 0x35;
/** ADC_CONTROL as tsBMS runs it: auto mode, TS1, TS2, GPAI, all 6 cells. */
export const ADC_CONTROL_TSBMS = 0x3d;
/** IO_CONTROL as tsBMS runs it: both thermistor biases on. */
export const IO_CONTROL_TSBMS = 0x03;
/** IO_CONTROL for sleep (storage mode): SLEEP, biases off (§10). */
export const IO_CONTROL_SLEEP = 0x04;
/** ADC_CONVERT value that starts a conversion. */
export const ADC_CONVERT_START = 0x01;
/** Tesla's OTP values for 0x40..0x47 (COV 4.45 V / 100 ms, CUV 1.50 V / 100 ms, OT 65 °C, 2.55 s). */
export const TESLA_FACTORY_CONFIG: readonly number[] = Object.freeze([
  0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff,
]);

export const DeviceStatus = Object.freeze({
  ADDR_RQST: 0x80,
  FAULT: 0x40,
  ALERT: 0x20,
  ECC_COR: 0x08,
  UVLO: 0x04,
  CBT: 0x02,
  DRDY: 0x01,
} as const);

export const AlertStatus = Object.freeze({
  AR: 0x80,
  PARITY: 0x40,
  ECC_ERR: 0x20,
  FORCE: 0x10,
  TSD: 0x08,
  SLEEP: 0x04,
  OT2: 0x02,
  OT1: 0x01,
} as const);

export const FaultStatus = Object.freeze({
  I_FAULT: 0x20,
  FORCE: 0x10,
  POR: 0x08,
  CRC: 0x04,
  CUV: 0x02,
  COV: 0x01,
} as const);

export const AdcControl = Object.freeze({
  ADC_ON: 0x40,
  TS2: 0x20,
  TS1: 0x10,
  GPAI: 0x08,
  CELL_SEL_MASK: 0x07,
} as const);

export const IoControl = Object.freeze({
  AUX: 0x80,
  GPIO_OUT: 0x40,
  GPIO_IN: 0x20,
  SLEEP: 0x04,
  TS2: 0x02,
  TS1: 0x01,
} as const);

export const CbTime = Object.freeze({
  MINUTES: 0x80,
  VALUE_MASK: 0x3f,
} as const);
/** CB_CTRL, COV_FAULT and CUV_FAULT: bit i = cell i + 1. */
export const CELL_MASK = 0x3f;
export const AddressControl = Object.freeze({
  ADDR_RQST: 0x80,
  ADDRESS_MASK: 0x3f,
} as const);
export const AdcConvert = Object.freeze({ CONV: 0x01 } as const);

export const FunctionConfig = Object.freeze({
  ADC_TIME_MASK: 0xc0,
  GPAI_REF: 0x20,
  GPAI_SRC_VBAT: 0x10,
  CELLS_MASK: 0x0c,
} as const);

export const IoConfig = Object.freeze({
  CRC_FAULT_REPORT: 0x80,
  CRC_DIS: 0x01,
} as const);

/** CONFIG_COV / CONFIG_UV b7: the comparator is disabled. */
export const THRESHOLD_DISABLE = 0x80;
/** CONFIG_COVT / CONFIG_UVT b7: the count is in milliseconds (else microseconds). */
export const DELAY_UNIT_MS = 0x80;

/** Registers the bus client refuses to write (T-10). */
export const FORBIDDEN_WRITE_REGISTERS: readonly number[] = Object.freeze([
  Register.E_EN,
  Register.TEST_SELECT,
]);

export function isProtectedRegister(register: number): boolean {
  return register >= PROTECTED_REGISTER_FIRST && register <= PROTECTED_REGISTER_LAST;
}

/** Address of cell `index` (0..5) in the scan block. */
export function cellRegister(index: number): number {
  return Register.VCELL1 + 2 * index;
}

/** Name of a register for messages, or its hex address. */
export function registerName(register: number): string {
  const entry = Object.entries(Register).find(([, value]) => value === register);
  return entry ? entry[0] : `0x${register.toString(16).padStart(2, '0')}`;
}
