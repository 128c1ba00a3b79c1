import { CliUsageError, parseControllerArgs } from './cli-options';

describe('parseControllerArgs', () => {
  it('has no overrides by default and runs as a daemon', () => {
    expect(parseControllerArgs([])).toEqual({
      serialPath: undefined,
      baudRate: undefined,
      moduleCount: undefined,
      canInterface: undefined,
      inverterProfile: undefined,
      configFile: undefined,
      once: false,
      json: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseControllerArgs([
        '--serial',
        '/dev/ttyUSB0',
        '--baud',
        '617647',
        '--modules',
        '16',
        '--can',
        'vcan0',
        '--inverter',
        'pylontech',
        '--config',
        'bms.yaml',
        '--once',
        '--json',
      ]),
    ).toEqual({
      serialPath: '/dev/ttyUSB0',
      baudRate: 617647,
      moduleCount: 16,
      canInterface: 'vcan0',
      inverterProfile: 'pylontech',
      configFile: 'bms.yaml',
      once: true,
      json: true,
    });
  });

  it('reads --record, and --replay with its pace (fast unless told)', () => {
    expect(parseControllerArgs(['--record', 'night.jsonl'])).toMatchObject({ recordFile: 'night.jsonl' });
    expect(parseControllerArgs(['--replay', 'night.jsonl'])).toMatchObject({
      replay: { file: 'night.jsonl', pace: 'fast' },
    });
    expect(parseControllerArgs(['--replay', 'night.jsonl', '--pace', 'realtime'])).toMatchObject({
      replay: { file: 'night.jsonl', pace: 'realtime' },
    });
  });

  it('answers help', () => {
    expect(parseControllerArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--modules', '0'], '--modules must be a whole number from 1 to 62, got "0"'],
    [['--modules', '63'], '--modules must be a whole number from 1 to 62, got "63"'],
    [['--baud', '6e5'], '--baud must be a whole number from 300 to 3000000, got "6e5"'],
    [['--can', ''], '--can needs a network interface name such as can0, got ""'],
    [['--can', 'can0; rm -rf'], '--can needs a network interface name such as can0, got "can0; rm -rf"'],
    [['--inverter', 'deye'], '--inverter must be one of victron, pylontech, sma-sunny-island, got "deye"'],
    [['--json'], '--json applies to --once only (the daemon logs JSON lines on stderr)'],
    [['--serial'], "Option '--serial <value>' argument missing"],
    [['--pace', 'fast'], '--pace applies to --replay only'],
    [['--replay', 'a.jsonl', '--pace', 'slow'], '--pace must be fast or realtime, got "slow"'],
    [
      ['--replay', 'a.jsonl', '--serial', '/dev/ttyUSB0'],
      '--replay reads no modules: it does not go with --serial',
    ],
    [['--replay', 'a.jsonl', '--once'], '--replay reads no modules: it does not go with --once'],
    [
      ['--replay', 'a.jsonl', '--record', 'b.jsonl'],
      '--replay reads no modules: it does not go with --record',
    ],
    [['--record', ''], '--record needs a file path'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['extra'], "Unexpected argument 'extra'. This command does not take positional arguments"],
  ])('rejects %j with one line', (argv, message) => {
    let error: unknown;
    try {
      parseControllerArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toBe(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
