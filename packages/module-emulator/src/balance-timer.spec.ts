import { BalanceTimer, balanceTimeMs } from './balance-timer';

describe('balanceTimeMs (CB_TIME)', () => {
  it('b7 = 0 counts seconds, b7 = 1 minutes, b5..0 the count', () => {
    expect(balanceTimeMs(0x05)).toBe(5_000);
    expect(balanceTimeMs(0x3f)).toBe(63_000);
    expect(balanceTimeMs(0x82)).toBe(120_000);
    expect(balanceTimeMs(0xbf)).toBe(63 * 60_000);
    expect(balanceTimeMs(0x00)).toBe(0);
    expect(balanceTimeMs(0x40)).toBe(0); // b6 is not part of the count
  });
});

describe('BalanceTimer (§8, T-24)', () => {
  it('starts on 0 → non-zero and clears the outputs and CB_CTRL on expiry', () => {
    const t = new BalanceTimer();
    t.writeCbTime(10);
    t.writeCbCtrl(0b101, 1_000);
    expect(t.running).toBe(true);
    expect(t.outputMask).toBe(0b101);
    expect(t.deadlineMs).toBe(11_000);
    expect(t.expireIfDue(10_999)).toBe(false);
    expect(t.outputMask).toBe(0b101);
    expect(t.expireIfDue(11_000)).toBe(true);
    expect(t.outputMask).toBe(0);
    expect(t.cbCtrlRegister).toBe(0);
    expect(t.running).toBe(false);
  });

  it('does not restart when one non-zero mask replaces another, but takes the new mask', () => {
    const t = new BalanceTimer();
    t.writeCbTime(10);
    t.writeCbCtrl(0b1, 0);
    t.writeCbCtrl(0b110, 5_000);
    expect(t.outputMask).toBe(0b110);
    expect(t.deadlineMs).toBe(10_000);
  });

  it('restarts on every 0 → non-zero transition', () => {
    const t = new BalanceTimer();
    t.writeCbTime(10);
    t.writeCbCtrl(0b1, 0);
    t.writeCbCtrl(0, 4_000);
    expect(t.running).toBe(false);
    expect(t.outputMask).toBe(0);
    t.writeCbCtrl(0b1, 6_000);
    expect(t.deadlineMs).toBe(16_000);
  });

  it('turns no FET on while CB_TIME is 0', () => {
    const t = new BalanceTimer();
    t.writeCbCtrl(0b111111, 0);
    expect(t.outputMask).toBe(0);
    expect(t.running).toBe(false);
  });

  it('counts minutes with b7 and ignores CB_CTRL bits above cell 6', () => {
    const t = new BalanceTimer();
    t.writeCbTime(0x81);
    t.writeCbCtrl(0xff, 0);
    expect(t.cbCtrlRegister).toBe(0x3f);
    expect(t.deadlineMs).toBe(60_000);
  });
});
