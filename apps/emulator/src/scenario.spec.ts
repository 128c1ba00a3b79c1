import { ManualClock } from '@tsbms/hal';
import { EmulatedChain } from '@tsbms/module-emulator';
import { loadScenario, playScenario, ScenarioError } from './scenario';

const chainOptions = { modules: 2, seed: 1, cellVoltagesV: [3.8] };

describe('loadScenario', () => {
  it('reads YAML and JSON alike and sorts steps by time', () => {
    const yaml = `
name: over-voltage demo
steps:
  - { atS: 10, action: stopFault, key: "silent:2" }
  - { atS: 5, action: startFault, fault: { kind: silent, module: 2 } }
  - { atS: 1, action: setCellVoltage, module: 1, cell: 3, voltageV: 4.2 }
`;
    const fromYaml = loadScenario(yaml, 'demo.yaml', chainOptions);
    expect(fromYaml.name).toBe('over-voltage demo');
    expect(fromYaml.steps.map((s) => s.atS)).toEqual([1, 5, 10]);
    const json = JSON.stringify({ steps: [{ atS: 0, action: 'setPackCurrent', currentA: 20 }] });
    expect(loadScenario(json, 'demo.json', chainOptions).steps).toEqual([
      { atS: 0, action: 'setPackCurrent', currentA: 20 },
    ]);
  });

  it.each([
    ['not YAML', 'steps: [', /demo: not valid YAML or JSON/],
    ['no steps', 'name: x', /steps: /],
    ['unknown key', 'steps: [{atS: 0, action: setPackCurrent, currentA: 1}]\nextra: 1', /Unrecognized key/],
    ['negative time', 'steps: [{atS: -1, action: setPackCurrent, currentA: 1}]', /steps.0.atS/],
    ['unknown action', 'steps: [{atS: 0, action: explode}]', /steps.0.action/],
    [
      'value the chain refuses',
      'steps: [{atS: 3, action: setCellVoltage, module: 1, cell: 1, voltageV: 9}]',
      /step at 3 s \(setCellVoltage\): voltageV/,
    ],
    [
      'module beyond the chain',
      'steps: [{atS: 0, action: setModuleTemperature, module: 5, temperatureC: 20}]',
      /module 5/,
    ],
    ['stop before start', 'steps: [{atS: 0, action: stopFault, key: "silent:1"}]', /no active fault/],
  ])('rejects %s, naming the place', (_name, text, message) => {
    expect(() => loadScenario(text, 'demo', chainOptions)).toThrow(ScenarioError);
    expect(() => loadScenario(text, 'demo', chainOptions)).toThrow(message);
  });
});

describe('playScenario', () => {
  it('applies each step at its time on the clock', async () => {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ ...chainOptions, clock });
    const scenario = loadScenario(
      'steps: [{atS: 2, action: setPackCurrent, currentA: 15}, {atS: 4, action: startFault, fault: {kind: silent, module: 1}}]',
      'demo',
      chainOptions,
    );
    const messages: string[] = [];
    playScenario(chain, scenario, clock, { info: (m) => messages.push(m), error: (m) => messages.push(m) });
    await clock.advanceByMs(1999);
    expect(chain.snapshot().packCurrentA).toBe(0);
    await clock.advanceByMs(1);
    expect(chain.snapshot().packCurrentA).toBe(15);
    await clock.advanceByMs(2000);
    expect(chain.activeFaults()).toEqual([{ kind: 'silent', module: 1 }]);
    expect(messages).toEqual([
      'scenario: setPackCurrent at 2 s',
      'scenario: startFault at 4 s (fault silent:1)',
    ]);
    await chain.close();
  });
});
