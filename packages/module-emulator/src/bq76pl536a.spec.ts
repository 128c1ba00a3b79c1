import { ManualClock } from '@tsbms/hal';
import {
  Register,
  TESLA_FACTORY_CONFIG,
  cellVoltageToRaw,
  crc8,
  temperatureToRaw,
} from '@tsbms/tesla-protocol';
import { Bq76pl536a, type ChipInputs } from './bq76pl536a';
import { EmulatedChain } from './emulated-chain';
import { RawHost, withCrc, writeFrame } from './spec-support/raw-host';

const inputs = (over: Partial<ChipInputs> = {}): ChipInputs => ({
  cellsV: [3.7, 3.7, 3.7, 3.7, 3.7, 3.7],
  moduleV: 22.2,
  thermistors: [{ celsius: 25 }, { celsius: 25 }],
  ...over,
});

/** Executes a write to a chip that is addressed as 1, returning whether it was accepted. */
function write(chip: Bq76pl536a, reg: number, value: number, nowMs = 0) {
  return chip.execute(withCrc((chip.moduleAddress << 1) | 1, reg, value), nowMs);
}

function addressedChip(): Bq76pl536a {
  const chip = new Bq76pl536a();
  write(chip, Register.ADDRESS_CONTROL, 0x81);
  return chip;
}

describe('Bq76pl536a register file', () => {
  it('powers up with the reset values: address 0, POR, AR, DRDY, shadows = Tesla factory OTP', () => {
    const chip = new Bq76pl536a();
    const regs = chip.registerFile();
    expect(regs).toHaveLength(0x50);
    expect(chip.moduleAddress).toBe(0);
    expect(regs[Register.DEVICE_STATUS]).toBe(0x61);
    expect(regs[Register.ALERT_STATUS]).toBe(0x80);
    expect(regs[Register.FAULT_STATUS]).toBe(0x08);
    expect(regs.slice(0x40, 0x48)).toEqual([...TESLA_FACTORY_CONFIG]);
    expect(regs.slice(0x01, 0x13).every((b) => b === 0)).toBe(true);
    expect(chip.counters.resets).toBe(0);
  });

  it('RESET 0xA5 returns the address to 0 and restores shadows; other values do nothing', () => {
    const chip = addressedChip();
    write(chip, Register.SHDW_CTRL, 0x35);
    write(chip, Register.CONFIG_COV, 0x2c);
    write(chip, Register.RESET, 0x12);
    expect(chip.moduleAddress).toBe(1);
    write(chip, Register.RESET, 0xa5);
    expect(chip.moduleAddress).toBe(0);
    expect(chip.readRegister(Register.CONFIG_COV)).toBe(0x31);
    expect(chip.readRegister(Register.FAULT_STATUS) & 0x08).toBe(0x08);
    expect(chip.counters.resets).toBe(1);
  });

  it('ignores writes to results and reserved registers', () => {
    const chip = addressedChip();
    for (const reg of [0x00, 0x03, 0x22, 0x35, 0x3e]) write(chip, reg, 0x55);
    expect(chip.readRegister(0x03)).toBe(0);
    expect(chip.readRegister(0x22)).toBe(0);
    expect(chip.readRegister(0x35)).toBe(0);
  });

  it('counts writes to E_EN and TEST_SELECT (T-10)', () => {
    const chip = addressedChip();
    expect(chip.counters.eEnWrites).toBe(0);
    write(chip, Register.E_EN, 1);
    write(chip, Register.TEST_SELECT, 1);
    write(chip, Register.TEST_SELECT, 0);
    expect(chip.counters).toMatchObject({ eEnWrites: 1, testSelectWrites: 2 });
  });
});

describe('Bq76pl536a protected registers (T-9, T-11)', () => {
  it('accepts a group-3 write only directly after SHDW_CTRL = 0x35, once', () => {
    const chip = addressedChip();
    write(chip, Register.CONFIG_COV, 0x2c);
    expect(chip.readRegister(Register.CONFIG_COV)).toBe(0x31);
    write(chip, Register.SHDW_CTRL, 0x35);
    write(chip, Register.CONFIG_COV, 0x2c);
    write(chip, Register.CONFIG_UV, 0x1c); // unlock already used
    expect(chip.readRegister(Register.CONFIG_COV)).toBe(0x2c);
    expect(chip.readRegister(Register.CONFIG_UV)).toBe(0x08);
    expect(chip.counters.protectedWritesRejected).toBe(2);
  });

  it('loses the unlock when any other frame comes in between, even one for another module', () => {
    const chip = addressedChip();
    write(chip, Register.SHDW_CTRL, 0x35);
    chip.execute(withCrc(0x02, 0x00, 0x01), 0); // a read in between
    write(chip, Register.CONFIG_COV, 0x2c);
    write(chip, Register.SHDW_CTRL, 0x35);
    chip.observeForeignFrame();
    write(chip, Register.CONFIG_COV, 0x2c);
    write(chip, Register.SHDW_CTRL, 0x34); // wrong key
    write(chip, Register.CONFIG_COV, 0x2c);
    expect(chip.readRegister(Register.CONFIG_COV)).toBe(0x31);
  });
});

describe('Bq76pl536a conversions', () => {
  it('clears DRDY for about 0.53 ms and then holds the encodings of the inputs', () => {
    const chip = addressedChip();
    write(chip, Register.ADC_CONTROL, 0x3d);
    write(chip, Register.IO_CONTROL, 0x03);
    write(chip, Register.ADC_CONVERT, 1, 10);
    expect(chip.readRegister(Register.DEVICE_STATUS) & 1).toBe(0);
    expect(chip.readRegister(Register.ADC_CONVERT)).toBe(1);
    const due = chip.nextEventMs(10) ?? Number.NaN;
    expect(due - 10).toBeCloseTo(0.5 + (9 * 3) / 1000, 9);
    const cellsV = [3.1, 3.2, 3.3, 3.4, 3.5, 4.2];
    chip.onTime(due, inputs({ cellsV, moduleV: 20.7, thermistors: [{ celsius: -20 }, { celsius: 80 }] }));
    expect(chip.readRegister(Register.DEVICE_STATUS) & 1).toBe(1);
    expect(chip.readRegister(Register.ADC_CONVERT)).toBe(0);
    const be16 = (reg: number) => (chip.readRegister(reg) << 8) | chip.readRegister(reg + 1);
    cellsV.forEach((v, i) => expect(be16(Register.VCELL1 + 2 * i)).toBe(cellVoltageToRaw(v)));
    expect(be16(Register.GPAI)).toBe(Math.round((20.7 * 16383) / 33.333));
    expect(be16(Register.TEMPERATURE1)).toBe(temperatureToRaw(-20));
    expect(be16(Register.TEMPERATURE2)).toBe(temperatureToRaw(80));
  });

  it('converts only the selected channels and reads 0 from a thermistor without bias', () => {
    const chip = addressedChip();
    write(chip, Register.ADC_CONTROL, 0x11); // TS1, cells 1..2
    write(chip, Register.ADC_CONVERT, 1);
    chip.onTime(1, inputs());
    expect(chip.readRegister(Register.VCELL1 + 1)).not.toBe(0);
    expect(chip.readRegister(Register.VCELL3)).toBe(0);
    expect(chip.readRegister(Register.VCELL3 + 1)).toBe(0);
    expect(chip.readRegister(Register.TEMPERATURE1) | chip.readRegister(Register.TEMPERATURE1 + 1)).toBe(0);
    expect(chip.readRegister(Register.GPAI + 1)).toBe(0);
  });
});

describe('Bq76pl536a balancing through CB_CTRL / CB_TIME', () => {
  it('drives the outputs and CBT until the safety timer expires', () => {
    const chip = addressedChip();
    write(chip, Register.CB_TIME, 0x82); // 2 minutes
    write(chip, Register.CB_CTRL, 0x05, 1000);
    expect(chip.balanceOutputMask).toBe(0x05);
    expect(chip.readRegister(Register.DEVICE_STATUS) & 0x02).toBe(0x02);
    expect(chip.nextEventMs(1000)).toBe(121_000);
    chip.onTime(121_000, inputs());
    expect(chip.balanceOutputMask).toBe(0);
    expect(chip.readRegister(Register.CB_CTRL)).toBe(0);
    expect(chip.readRegister(Register.DEVICE_STATUS) & 0x02).toBe(0);
  });
});

describe('Bq76pl536a protection (§9)', () => {
  const cov = (v: number) => inputs({ cellsV: [3.7, v, 3.7, 3.7, 3.7, 3.7] });

  it('sets COV after the configured delay, names the cell, and re-sets it while it persists', () => {
    const chip = addressedChip();
    write(chip, Register.FAULT_STATUS, 0x08);
    write(chip, Register.FAULT_STATUS, 0x00);
    chip.onTime(0, cov(4.46)); // factory: 4.45 V, 100 ms
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0);
    expect(chip.nextEventMs(0)).toBe(100);
    chip.onTime(99, cov(4.46));
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0);
    chip.onTime(100, cov(4.46));
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0x01);
    expect(chip.readRegister(Register.COV_FAULT)).toBe(0x02);
    expect(chip.readRegister(Register.DEVICE_STATUS) & 0x40).toBe(0x40);
    write(chip, Register.FAULT_STATUS, 0x01, 200);
    write(chip, Register.FAULT_STATUS, 0x00, 200);
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0x01); // still over: back at once
    chip.onTime(300, cov(4.3));
    write(chip, Register.FAULT_STATUS, 0x01, 300);
    write(chip, Register.FAULT_STATUS, 0x00, 300);
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0);
    expect(chip.readRegister(Register.COV_FAULT)).toBe(0);
  });

  it('keeps a latched bit that is only written 0, and needs 1 then 0 to clear', () => {
    const chip = addressedChip();
    write(chip, Register.FAULT_STATUS, 0x00);
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0x08);
    write(chip, Register.FAULT_STATUS, 0x08);
    write(chip, Register.FAULT_STATUS, 0x00);
    expect(chip.readRegister(Register.FAULT_STATUS)).toBe(0);
  });

  it('uses the thresholds written through the shadow registers (T-18 values)', () => {
    const chip = addressedChip();
    for (const [reg, value] of [
      [0x42, 0x2c],
      [0x43, 0x8a],
      [0x44, 0x1c],
      [0x45, 0x8a],
      [0x46, 0x77],
      [0x47, 0xff],
    ]) {
      write(chip, Register.SHDW_CTRL, 0x35);
      write(chip, reg, value);
    }
    chip.onTime(0, inputs({ cellsV: [4.21, 3.7, 3.49, 3.7, 3.7, 3.7] }));
    chip.onTime(999, inputs({ cellsV: [4.21, 3.7, 3.49, 3.7, 3.7, 3.7] }));
    expect(chip.readRegister(Register.FAULT_STATUS) & 0x03).toBe(0);
    chip.onTime(1000, inputs({ cellsV: [4.21, 3.7, 3.49, 3.7, 3.7, 3.7] }));
    expect(chip.readRegister(Register.FAULT_STATUS) & 0x03).toBe(0x03);
    expect(chip.readRegister(Register.COV_FAULT)).toBe(0x01);
    expect(chip.readRegister(Register.CUV_FAULT)).toBe(0x04);
  });

  it('sets OT1/OT2 alerts after the OT delay, only with thermistor bias on', () => {
    const chip = addressedChip();
    const hot = inputs({ thermistors: [{ celsius: 66 }, { raw: temperatureToRaw(20) }] });
    chip.onTime(0, hot);
    chip.onTime(5000, hot);
    expect(chip.readRegister(Register.ALERT_STATUS) & 0x03).toBe(0);
    write(chip, Register.IO_CONTROL, 0x03, 5000);
    chip.onTime(5000, hot);
    chip.onTime(7549, hot);
    expect(chip.readRegister(Register.ALERT_STATUS) & 0x03).toBe(0);
    chip.onTime(7550, hot);
    expect(chip.readRegister(Register.ALERT_STATUS) & 0x03).toBe(0x01);
    expect(chip.readRegister(Register.DEVICE_STATUS) & 0x20).toBe(0x20);
  });

  it('keeps AR while unaddressed and lets it clear once addressed', () => {
    const chip = new Bq76pl536a();
    write(chip, Register.ALERT_STATUS, 0x80);
    write(chip, Register.ALERT_STATUS, 0x00);
    expect(chip.readRegister(Register.ALERT_STATUS)).toBe(0x80);
    write(chip, Register.ADDRESS_CONTROL, 0x81);
    chip.execute(withCrc(0x03, Register.ALERT_STATUS, 0x80), 0);
    chip.execute(withCrc(0x03, Register.ALERT_STATUS, 0x00), 0);
    expect(chip.readRegister(Register.ALERT_STATUS)).toBe(0);
  });
});

describe('Bq76pl536a sleep (§10)', () => {
  it('sets ALERT[SLEEP], runs no conversion and no comparator while asleep', () => {
    const chip = addressedChip();
    write(chip, Register.IO_CONTROL, 0x04);
    expect(chip.asleep).toBe(true);
    expect(chip.readRegister(Register.ALERT_STATUS) & 0x04).toBe(0x04);
    write(chip, Register.ADC_CONVERT, 1);
    expect(chip.readRegister(Register.ADC_CONVERT)).toBe(0);
    const over = inputs({ cellsV: [4.6, 4.6, 4.6, 4.6, 4.6, 4.6] });
    chip.onTime(0, over);
    chip.onTime(10_000, over);
    expect(chip.readRegister(Register.FAULT_STATUS) & 0x01).toBe(0);
    // wake: IO_CONTROL 0x03, clear SLEEP; protection is back
    write(chip, Register.IO_CONTROL, 0x03, 10_000);
    write(chip, Register.ALERT_STATUS, 0x04, 10_000);
    write(chip, Register.ALERT_STATUS, 0x00, 10_000);
    expect(chip.readRegister(Register.ALERT_STATUS) & 0x04).toBe(0);
    chip.onTime(10_000, over);
    chip.onTime(10_100, over);
    expect(chip.readRegister(Register.FAULT_STATUS) & 0x01).toBe(0x01);
  });
});

describe('Bq76pl536a CRC handling (T-7)', () => {
  it('skips the CRC check when IO_CONFIG[CRC_DIS] is set', () => {
    const chip = addressedChip();
    write(chip, Register.SHDW_CTRL, 0x35);
    write(chip, Register.IO_CONFIG, 0x81);
    const bad = writeFrame(1, Register.ADC_CONTROL, 0x3d);
    bad[3] ^= 0xff;
    expect(chip.execute(bad, 0).outcome).toBe('executed');
    expect(chip.readRegister(Register.ADC_CONTROL)).toBe(0x3d);
  });

  it('never executes a write shorter than 4 bytes', () => {
    const chip = addressedChip();
    expect(chip.execute(Uint8Array.of(0x03, Register.ADC_CONTROL, 0x3d), 0).outcome).toBe('badCrc');
    expect(chip.readRegister(Register.ADC_CONTROL)).toBe(0);
  });

  it('replies to reads with a CRC over the unmarked bytes', () => {
    const chip = new Bq76pl536a();
    const result = chip.execute(withCrc(0x00, 0x40, 8), 0);
    if (result.outcome !== 'executed') throw new Error('not executed');
    const reply = Array.from(result.reply);
    expect(reply.slice(0, 3)).toEqual([0x80, 0x40, 8]);
    expect(reply.slice(3, 11)).toEqual([...TESLA_FACTORY_CONFIG]);
    expect(reply[11]).toBe(crc8([0x00, ...reply.slice(1, 11)]));
  });
});

describe('balancing through the chain', () => {
  it('balances only while the safety timer runs, in virtual time', async () => {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ clock, modules: 1 });
    const host = new RawHost(chain, clock);
    await host.assignAddresses(1);
    await host.write(1, Register.CB_TIME, 10);
    await host.write(1, Register.CB_CTRL, 0b100001);
    expect(chain.snapshot().modules[0].cells.map((c) => c.balancing)).toEqual([
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
    await clock.advanceByMs(9_000);
    expect(chain.snapshot().modules[0].cells[0].balancing).toBe(true);
    await clock.advanceByMs(1_000);
    expect(chain.snapshot().modules[0].cells[0].balancing).toBe(false);
    expect((await host.read(1, Register.CB_CTRL, 1))[0]).toBe(0);
  });
});
