import { ManualClock } from './manual-clock';
import { SimulatedDigitalOutput, type DigitalOutput } from './digital-output';

describe('SimulatedDigitalOutput', () => {
  it('starts de-energised with no transitions', () => {
    const output = new SimulatedDigitalOutput('contactorPositive', new ManualClock());
    expect(output.name).toBe('contactorPositive');
    expect(output.state).toBe(false);
    expect(output.transitions).toEqual([]);
  });

  it('records each change with the clock time and ignores repeated levels', async () => {
    const clock = new ManualClock(1000);
    const output: DigitalOutput & { transitions: unknown } = new SimulatedDigitalOutput('heater', clock);
    output.set(false); // already off: nothing changes
    await clock.advanceByMs(250);
    output.set(true);
    output.set(true);
    await clock.advanceByMs(500);
    output.set(false);
    expect(output.state).toBe(false);
    expect(output.transitions).toEqual([
      { atMs: 1250, on: true },
      { atMs: 1750, on: false },
    ]);
  });
});
