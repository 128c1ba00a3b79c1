import { OptionsError, parseEmulatorOptions } from './options';

describe('parseEmulatorOptions', () => {
  it('applies the defaults around the required serial path', () => {
    expect(parseEmulatorOptions(['--serial', '/tmp/pty-a'])).toEqual({
      serialPath: '/tmp/pty-a',
      baudRate: 612500,
      modules: 4,
      cellVoltagesV: undefined,
      temperaturesC: undefined,
      seed: 1,
      wireTiming: false,
      hopDelayUs: undefined,
      httpPort: undefined,
      httpHost: '127.0.0.1',
      scenarioPath: undefined,
    });
  });

  it('reads every option', () => {
    expect(
      parseEmulatorOptions([
        '--serial',
        '/dev/ttyUSB1',
        '--baud',
        '617647',
        '--modules',
        '16',
        '--cells',
        '3.9,3.95',
        '--temperatures',
        '21,22.5',
        '--seed',
        '7',
        '--wire-timing',
        '--hop-delay-us',
        '20',
        '--http-port',
        '0',
        '--http-host',
        '::1',
        '--scenario',
        'demo.yaml',
      ]),
    ).toEqual({
      serialPath: '/dev/ttyUSB1',
      baudRate: 617647,
      modules: 16,
      cellVoltagesV: [3.9, 3.95],
      temperaturesC: [21, 22.5],
      seed: 7,
      wireTiming: true,
      hopDelayUs: 20,
      httpPort: 0,
      httpHost: '::1',
      scenarioPath: 'demo.yaml',
    });
  });

  it('returns help for --help', () => {
    expect(parseEmulatorOptions(['--help'])).toBe('help');
  });

  it.each([
    [[], /--serial: required/],
    [['--serial', 'x', '--modules', '0'], /--modules: expected a whole number from 1 to 62, got "0"/],
    [['--serial', 'x', '--modules', '63'], /--modules/],
    [['--serial', 'x', '--baud', 'fast'], /--baud/],
    [['--serial', 'x', '--cells', '3.9,abc'], /--cells: expected comma-separated numbers/],
    [['--serial', 'x', '--http-port', '70000'], /--http-port/],
    [['--serial', 'x', '--hop-delay-us', '5'], /only meaningful with --wire-timing/],
    [['--serial', 'x', '--colour'], /Unknown option '--colour'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseEmulatorOptions(argv)).toThrow(OptionsError);
    expect(() => parseEmulatorOptions(argv)).toThrow(message);
  });
});
