import { ManualClock } from '@tsbms/hal';
import { EmulatedChain } from './emulated-chain';
import { EmulatorError } from './errors';

describe('EmulatedChain setters', () => {
  const make = () => new EmulatedChain({ clock: new ManualClock(), modules: 2, seed: 4 });

  it('sets a cell voltage, SoC, thermistor override, module temperature, current and ambient', () => {
    const chain = make();
    chain.setCellVoltage(2, 6, 4.05);
    chain.setCellSoc(1, 1, 80);
    chain.setThermistorTemperature(1, 2, 41.5);
    chain.setModuleTemperature(2, 30);
    chain.setAmbientTemperature(10);
    const snap = chain.snapshot();
    expect(snap.modules[1].cells[5].voltageV).toBeCloseTo(4.05, 12);
    expect(snap.modules[0].cells[0].socPercent).toBe(80);
    expect(snap.modules[0].cells[0].voltageV).toBeCloseTo(4.046, 9);
    expect(snap.modules[0].thermistors[1]).toEqual({ temperatureC: 41.5, overrideC: 41.5, fault: null });
    expect(snap.modules[1].temperatureC).toBe(30);
    expect(snap.ambientC).toBe(10);
    chain.setPackCurrent(-50);
    expect(chain.snapshot().packCurrentA).toBe(-50);
    chain.setThermistorTemperature(1, 2, null);
    expect(chain.snapshot().modules[0].thermistors[1].overrideC).toBeNull();
  });

  it('rejects bad input with a typed error, its code and context, and changes nothing', () => {
    const chain = make();
    const before = JSON.stringify(chain.snapshot());
    const cases: [() => void, string, object][] = [
      [() => chain.setCellVoltage(3, 1, 3.7), 'UNKNOWN_MODULE', { module: 3 }],
      [() => chain.setCellVoltage(0, 1, 3.7), 'UNKNOWN_MODULE', { module: 0 }],
      [() => chain.setCellVoltage(1, 7, 3.7), 'CELL_OUT_OF_RANGE', { module: 1, cell: 7 }],
      [() => chain.setCellVoltage(1, 1.5, 3.7), 'CELL_OUT_OF_RANGE', { cell: 1.5 }],
      [() => chain.setCellVoltage(1, 1, 'abc'), 'NOT_A_NUMBER', { field: 'voltageV' }],
      [() => chain.setCellVoltage(1, 1, NaN), 'NOT_A_NUMBER', { field: 'voltageV' }],
      [() => chain.setCellVoltage(1, 1, 9), 'VALUE_OUT_OF_RANGE', { module: 1, cell: 1, field: 'voltageV' }],
      [() => chain.setCellSoc(1, 1, 150), 'VALUE_OUT_OF_RANGE', { field: 'socPercent' }],
      [() => chain.setThermistorTemperature(1, 3, 20), 'THERMISTOR_OUT_OF_RANGE', { thermistor: 3 }],
      [() => chain.setThermistorTemperature(1, 1, '20'), 'NOT_A_NUMBER', {}],
      [() => chain.setPackCurrent(Infinity), 'NOT_A_NUMBER', {}],
      [() => chain.setAmbientTemperature(500), 'VALUE_OUT_OF_RANGE', {}],
    ];
    for (const [call, code, context] of cases) {
      let caught: unknown;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(EmulatorError);
      expect((caught as EmulatorError).code).toBe(code);
      expect((caught as EmulatorError).context).toMatchObject(context);
    }
    expect(JSON.stringify(chain.snapshot())).toBe(before);
  });

  it('validates its options', () => {
    const clock = new ManualClock();
    expect(() => new EmulatedChain({ clock, modules: 0 })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
    expect(() => new EmulatedChain({ clock, modules: 63 })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
    expect(() => new EmulatedChain({ clock, modules: 2.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new EmulatedChain({ clock, modules: 1, temperaturesC: [20] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new EmulatedChain({ clock, modules: 1, cellVoltagesV: [3.7, 1.0] })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
    expect(() => new EmulatedChain({ clock, modules: 1, physics: { bleedResistorOhm: 0 } })).toThrow(
      expect.objectContaining({
        code: 'VALUE_OUT_OF_RANGE',
        context: expect.objectContaining({ field: 'physics.bleedResistorOhm' }),
      }),
    );
    expect(() => new EmulatedChain({ clock, modules: 1, wireTiming: { baud: 0 } })).toThrow(
      expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE' }),
    );
  });

  it('spreads the initial voltages over all cells of all modules and keeps sensor offsets', () => {
    const chain = new EmulatedChain({
      clock: new ManualClock(),
      modules: 2,
      cellVoltagesV: [3.5, 3.6, 3.7, 3.8],
      temperaturesC: [20, 24],
    });
    const snap = chain.snapshot();
    expect(snap.modules.flatMap((m) => m.cells.map((c) => Number(c.voltageV.toFixed(9))))).toEqual([
      3.5, 3.6, 3.7, 3.8, 3.5, 3.6, 3.7, 3.8, 3.5, 3.6, 3.7, 3.8,
    ]);
    expect(snap.modules[0].temperatureC).toBe(22);
    expect(snap.modules[0].thermistors.map((t) => t.temperatureC)).toEqual([20, 24]);
  });
});
