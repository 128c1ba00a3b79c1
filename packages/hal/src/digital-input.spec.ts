import { SimulatedDigitalInput, type DigitalInput } from './digital-input';

describe('SimulatedDigitalInput', () => {
  it('reads inactive until set, unless given a level', () => {
    const input: DigitalInput = new SimulatedDigitalInput('contactorPositive');
    expect(input.name).toBe('contactorPositive');
    expect(input.read()).toBe(false);
    expect(new SimulatedDigitalInput('contactorNegative', true).read()).toBe(true);
  });

  it('reads the level last set, and counts every read', () => {
    const input = new SimulatedDigitalInput('contactorPrecharge');
    input.set(true);
    expect([input.read(), input.read()]).toEqual([true, true]);
    input.set(false);
    expect(input.read()).toBe(false);
    expect(input.reads).toBe(3);
  });

  it('wired to a function, reads what it says at each read until set', () => {
    const coil = { on: false };
    const input = new SimulatedDigitalInput('contactorPositive', () => coil.on);
    expect(input.read()).toBe(false);
    coil.on = true;
    expect(input.read()).toBe(true);
    input.set(false); // the contact sticks open whatever the coil does
    expect(input.read()).toBe(false);
  });
});
