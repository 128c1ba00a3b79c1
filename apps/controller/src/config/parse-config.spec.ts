import { DEFAULT_CONTROLLER_CONFIG, parseControllerConfig } from './index';
import { configErrorOf } from './testing/config-error';

/** The error a document is rejected with (fails the test if it is accepted). */
const rejection = (document: unknown) => configErrorOf(() => parseControllerConfig(document, 'config.yaml'));

describe('parseControllerConfig', () => {
  it('fills every setting with its default from an empty document', () => {
    const config = parseControllerConfig({}, 'config.yaml');
    expect(config).toEqual(DEFAULT_CONTROLLER_CONFIG);
    // §1 seed defaults and the contract defaults, spot-checked against the documents.
    expect(config.cells).toMatchObject({
      cellHighVoltageV: 4.1,
      cellLowVoltageV: 3.6,
      overVoltageDelayS: 10,
    });
    expect(config.cells.voltageHardwareOffsetV).toBe(0.05);
    expect(config.pack).toEqual({ moduleCount: 4, parallelStringCount: 1, moduleCapacityAh: 232 });
    expect(config.serial).toEqual({ path: null, baudRate: 612500, readWithCrc: true, replyTimeoutMs: 100 });
    expect(config.contactors).toEqual({
      contactorNegativeTimeS: 1,
      contactorPrechargeTimeS: 5,
      contactorOverlapS: 1,
    });
    expect(config.heating).toEqual({ heatingOnBelowC: 16, heatingOffAtC: 18 });
    expect(config.limits.chargeMaxTemperatureC).toBe(45);
    expect(config.soc.ocvTable).toHaveLength(14);
    expect(config.gpio.contactorPositivePin).toBeNull();
    // No feedback by default; when fitted, an auxiliary contact to ground, pulled up.
    expect(config.gpio).toMatchObject({
      contactorNegativeFeedbackPin: null,
      contactorPrechargeFeedbackPin: null,
      contactorPositiveFeedbackPin: null,
      feedbackActiveLow: true,
      feedbackBias: 'pull-up',
    });
  });

  it('keeps given settings and defaults the rest of their group', () => {
    const config = parseControllerConfig(
      { cells: { cellHighVoltageV: 4.05 }, gpio: { heaterPin: 17 }, serial: { path: '/dev/ttyUSB0' } },
      'x',
    );
    expect(config.cells.cellHighVoltageV).toBe(4.05);
    expect(config.cells.cellLowVoltageV).toBe(3.6);
    expect(config.gpio.heaterPin).toBe(17);
    expect(config.serial.path).toBe('/dev/ttyUSB0');
  });

  describe('currentSensor', () => {
    it('is none by default, and an INA226 takes its defaults around the shunt it needs', () => {
      expect(parseControllerConfig({}, 'x').currentSensor).toEqual({ type: 'none' });
      expect(parseControllerConfig({}, 'x').currentSensorCheck).toEqual({ type: 'none' });
      expect(
        parseControllerConfig({ currentSensor: { type: 'ina226', shuntOhm: 0.0001 } }, 'x').currentSensor,
      ).toEqual({
        type: 'ina226',
        i2cBus: 1,
        address: 0x40,
        shuntOhm: 0.0001,
        sampleIntervalMs: 100,
        averages: 16,
        conversionTimeUs: 1100,
        busVoltageScale: 1,
        linkVoltage: false,
        calibration: { zeroOffsetA: 0, gain: 1, reversed: false, deadbandA: 0 },
      });
    });

    it("takes the seed's MCP3421 with pyBMS's numbers by default", () => {
      expect(parseControllerConfig({ currentSensor: { type: 'mcp3421' } }, 'x').currentSensor).toMatchObject({
        address: 0x68,
        zeroPointV: 1.6025,
        maxCurrentA: 200,
        outputZeroV: 5,
        outputSwingV: 2,
        resolutionBits: 18,
        gain: 1,
        sampleIntervalMs: 500,
        filterTimeConstantMs: 0,
      });
    });

    it('takes CAN shunts on an interface, with their factory ids unless told, and no link voltage unless told', () => {
      expect(
        parseControllerConfig({ currentSensor: { type: 'ivt-s', iface: 'can1' } }, 'x').currentSensor,
      ).toMatchObject({
        canIds: {},
        linkVoltageInput: null,
      });
      expect(
        parseControllerConfig({ currentSensor: { type: 'lem-cab', iface: 'can1' } }, 'x').currentSensor,
      ).toMatchObject({
        canId: 0x3c2,
      });
    });

    it("takes a GX's battery monitor over MQTT by its instance, on port 1883 and the GX found at start by default", () => {
      expect(
        parseControllerConfig(
          { currentSensor: { type: 'gx-mqtt', host: 'venus.local', deviceInstance: 279 } },
          'x',
        ).currentSensor,
      ).toEqual({
        type: 'gx-mqtt',
        host: 'venus.local',
        port: 1883,
        portalId: null,
        deviceInstance: 279,
        keepAliveIntervalMs: 30_000,
        readIntervalMs: 1000,
        calibration: { zeroOffsetA: 0, gain: 1, reversed: false, deadbandA: 0 },
      });
    });

    it('takes an ADS1115 with a hall transducer', () => {
      const config = parseControllerConfig(
        {
          currentSensor: {
            type: 'ads1115',
            transducer: { kind: 'hall', zeroV: 2.5, voltsPerAmpere: 0.004 },
            fullScaleV: 6.144,
          },
        },
        'x',
      );
      expect(config.currentSensor).toMatchObject({
        type: 'ads1115',
        address: 0x48,
        fullScaleV: 6.144,
        dataRateSps: 128,
      });
    });

    it.each([
      [{ type: 'ina226' }, 'currentSensor.shuntOhm'],
      [{ type: 'ina226', shuntOhm: 0.0001, address: 0x50 }, 'currentSensor.address'],
      [{ type: 'ina226', shuntOhm: 0.0001, averages: 3 }, 'currentSensor.averages'],
      [{ type: 'ads1115', transducer: { kind: 'shunt' } }, 'currentSensor.transducer.shuntOhm'],
      [
        { type: 'ads1115', transducer: { kind: 'shunt', shuntOhm: 0.001 }, fullScaleV: 5 },
        'currentSensor.fullScaleV',
      ],
      [{ type: 'smartshunt' }, 'currentSensor.type'],
      [{ type: 'vedirect' }, 'currentSensor.path'],
      [{ type: 'ina228', shuntOhm: 0.0001 }, 'currentSensor.maxCurrentA'],
      [{ type: 'mcp3421', resolutionBits: 17 }, 'currentSensor.resolutionBits'],
      [{ type: 'ivt-s' }, 'currentSensor.iface'],
      [{ type: 'ivt-s', iface: 'can0; reboot' }, 'currentSensor.iface'],
      [{ type: 'ivt-s', iface: 'can1', canIds: { current: 0x800 } }, 'currentSensor.canIds.current'],
      [{ type: 'ivt-s', iface: 'can1', linkVoltageInput: 'voltage4' }, 'currentSensor.linkVoltageInput'],
      [{ type: 'lem-cab', iface: 'can1', canId: -1 }, 'currentSensor.canId'],
      [{ type: 'gx-mqtt', host: 'venus.local' }, 'currentSensor.deviceInstance'],
      [{ type: 'gx-mqtt', deviceInstance: 279 }, 'currentSensor.host'],
      [{ type: 'gx-mqtt', host: 'venus.local/x', deviceInstance: 279 }, 'currentSensor.host'],
      [
        { type: 'gx-mqtt', host: 'venus.local', deviceInstance: 279, portalId: 'a/#' },
        'currentSensor.portalId',
      ],
      [
        { type: 'gx-mqtt', host: 'venus.local', deviceInstance: 279, keepAliveIntervalMs: 60_000 },
        'currentSensor.keepAliveIntervalMs',
      ],
      [{ type: 'ina226', shuntOhm: 0.0001, calibration: { gain: 3 } }, 'currentSensor.calibration.gain'],
      [
        { type: 'ina226', shuntOhm: 0.0001, calibration: { reversed: 'yes' } },
        'currentSensor.calibration.reversed',
      ],
    ])('rejects %j naming %s', (currentSensor, configPath) => {
      expect(rejection({ currentSensor })).toMatchObject({ configPath });
    });
  });

  it('returns a deeply frozen config', () => {
    const config = parseControllerConfig({}, 'x');
    expect(Object.isFrozen(config.cells)).toBe(true);
    expect(Object.isFrozen(config.soc.ocvTable[0])).toBe(true);
  });

  it('rejects a wrong type with one line naming the file, the path and the reason', () => {
    const error = rejection({ cells: { cellHighVoltageV: '4.1' } });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe('config.yaml: cells.cellHighVoltageV: expected number, received string');
    expect(error).toMatchObject({ file: 'config.yaml', configPath: 'cells.cellHighVoltageV' });
  });

  it.each([
    [
      { cells: { cellHighVoltageV: 4.1, cellHighVoltage: 4.1 } },
      'config.yaml: cells.cellHighVoltage: unknown key',
    ],
    [{ pollInterval: 1 }, 'config.yaml: pollInterval: unknown key'],
    [
      { soc: { ocvTable: [{ voltageV: 3, socPercent: 0, note: 'x' }] } },
      'config.yaml: soc.ocvTable[0].note: unknown key',
    ],
    [{ modbus: { port: 502 } }, 'config.yaml: modbus: unknown key'],
  ])('rejects an unknown key: %j', (document, line) => {
    expect(rejection(document).message).toBe(line);
  });

  describe('inverter (issue 14)', () => {
    it('switches profile by its setting; each profile takes its defaults', () => {
      expect(parseControllerConfig({}, 'config.yaml').inverter.profile).toBe('victron');
      const pylontech = parseControllerConfig(
        { inverter: { profile: 'pylontech', interface: 'can0' } },
        'config.yaml',
      ).inverter;
      expect(pylontech).toMatchObject({ profile: 'pylontech', manufacturerName: 'PYLON', bitRateKbps: 500 });
    });

    it.each([
      [{ inverter: { profile: 'deye' } }, 'inverter.profile: one of victron, pylontech, sma-sunny-island'],
      [
        { inverter: { profile: 'pylontech', batteryName: 'Garage' } },
        'inverter.batteryName: unknown key: not an option of the pylontech profile',
      ],
      [
        { inverter: { profile: 'sma-sunny-island', bitRateKbps: 250 } },
        'inverter.bitRateKbps: the SMA Sunny Island protocol runs at 500 kbit/s only',
      ],
      [
        { can: { interface: 'can0' } },
        'can: renamed to `inverter` (same keys; its `profile` is victron unless you set another): rename the section',
      ],
    ])('rejects %j with its path', (document, line) => {
      expect(rejection(document).message).toBe(`config.yaml: ${line}`);
    });
  });

  it('does not let a __proto__ key through (it is a key like any other)', () => {
    const document = JSON.parse('{"cells": {"__proto__": {"cellHighVoltageV": 9}}}');
    expect(rejection(document).message).toBe('config.yaml: cells.__proto__: unknown key');
  });

  it.each([
    [{ serial: { baudRate: 612500.5 } }, 'serial.baudRate: expected int, received number'],
    [{ serial: { path: '' } }, 'serial.path: Too small: expected string to have >=1 characters'],
    [{ gpio: { heaterPin: -1 } }, 'gpio.heaterPin: Too small: expected number to be >=0'],
    [
      { cells: { voltageHardwareOffsetV: 0 } },
      'cells.voltageHardwareOffsetV: Too small: expected number to be >0',
    ],
    [{ contactorControl: 'yes' }, 'contactorControl: expected boolean, received string'],
    [{ cells: null }, 'cells: expected object, received null'],
    ['just text', '(root): expected object, received string'],
  ])('rejects %j', (document, line) => {
    expect(rejection(document).message).toBe(`config.yaml: ${line}`);
  });

  it('reports every problem, each on its own line', () => {
    const error = rejection({ cells: { cellHighVoltageV: 'high' }, pack: { moduleCount: '4' }, extra: true });
    // In the schema's order: pack comes before cells.
    expect(error.message.split('\n')).toEqual([
      'config.yaml: pack.moduleCount: expected number, received string',
      'config.yaml: cells.cellHighVoltageV: expected number, received string',
      'config.yaml: extra: unknown key',
    ]);
    expect(error.issues).toHaveLength(3);
  });

  describe('cross-checks from the library builders, under the config path', () => {
    it.each([
      [
        'setpoints in the wrong order',
        { cells: { cellHighVoltageV: 3.5 } },
        'cells.cellHighVoltageV: low setpoint must be below high setpoint (3.6 must be < 3.5)',
      ],
      [
        'warning beyond the fault level',
        { cells: { voltageAlertOffsetV: 0.06 } },
        'cells.voltageAlertOffsetV: warning level must lie inside the fault level (0.06 must be < 0.05)',
      ],
      [
        'temperature levels crossing',
        { temperature: { lowTemperatureC: 50 } },
        'temperature.lowTemperatureC: under-temperature info level must lie below over-temperature info level (60 must be < 55)',
      ],
      [
        'a non-monotonic OCV table',
        {
          soc: {
            ocvTable: [
              { voltageV: 3.0, socPercent: 0 },
              { voltageV: 2.9, socPercent: 50 },
              { voltageV: 4.2, socPercent: 100 },
            ],
          },
        },
        'soc.ocvTable[1].voltageV: voltages must strictly increase (3 V then 2.9 V)',
      ],
      [
        'a charge temperature table reaching 0 beyond the over-temperature fault (B-20)',
        { limits: { chargeMaxTemperatureC: 70 } },
        'limits.chargeMaxTemperatureC: must not exceed highTemperatureC (the over-temperature fault)',
      ],
      [
        'a derating factor above 1',
        {
          limits: {
            chargeSocTable: [
              { input: 0, factor: 1 },
              { input: 90, factor: 1.5 },
            ],
          },
        },
        'limits.chargeSocTable[1].factor: Too big: expected number to be <=1',
      ],
      [
        'a string count not dividing the module count',
        { pack: { moduleCount: 5, parallelStringCount: 2 } },
        'pack.parallelStringCount: 5 modules cannot be split into 2 equal strings',
      ],
      [
        'a hardware COV above 4.25 V (T-18)',
        { cells: { cellHighVoltageV: 4.2 } },
        'cells.cellHighVoltageV: hardware threshold (T-18): hardware COV 4.3 V is above 4.25 V',
      ],
      [
        'a comms timeout shorter than two polls',
        { pollIntervalS: 6 },
        'commsTimeoutS: must exceed two poll intervals',
      ],
    ])('%s', (_what, document, line) => {
      const error = rejection(document);
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message.split('\n')).toContain(`config.yaml: ${line}`);
    });

    it('reports a problem two libraries share once', () => {
      const lines = rejection({ cells: { cellHighVoltageV: 3.5 } }).message.split('\n');
      expect(new Set(lines).size).toBe(lines.length);
    });

    it('accepts COV exactly at the 4.25 V limit', () => {
      const config = parseControllerConfig({ cells: { cellHighVoltageV: 4.15 } }, 'x');
      expect(config.cells.cellHighVoltageV).toBe(4.15);
    });
  });

  it('refuses two outputs on the same GPIO line', () => {
    expect(rejection({ gpio: { contactorPositivePin: 5, heaterPin: 5 } }).message).toBe(
      'config.yaml: gpio.heaterPin: line 5 is already gpio.contactorPositivePin',
    );
  });

  it('refuses a feedback input on a line an output or another input has', () => {
    expect(rejection({ gpio: { contactorPositivePin: 5, contactorPositiveFeedbackPin: 5 } }).message).toBe(
      'config.yaml: gpio.contactorPositiveFeedbackPin: line 5 is already gpio.contactorPositivePin',
    );
    expect(
      rejection({
        gpio: {
          contactorNegativePin: 5,
          contactorPositivePin: 6,
          contactorNegativeFeedbackPin: 20,
          contactorPositiveFeedbackPin: 20,
        },
      }).message,
    ).toBe(
      'config.yaml: gpio.contactorPositiveFeedbackPin: line 20 is already gpio.contactorNegativeFeedbackPin',
    );
  });

  it('refuses feedback for a contactor whose output is not configured, and an unknown bias', () => {
    expect(rejection({ gpio: { contactorPrechargeFeedbackPin: 21 } }).message).toBe(
      "config.yaml: gpio.contactorPrechargeFeedbackPin: feedback needs gpio.contactorPrechargePin: it is checked against that output's command",
    );
    expect(rejection({ gpio: { feedbackBias: 'up' } }).message).toContain('gpio.feedbackBias');
  });

  it('accepts feedback beside its output, active high without a pull resistor when asked', () => {
    const config = parseControllerConfig(
      {
        gpio: {
          contactorPositivePin: 5,
          contactorPositiveFeedbackPin: 6,
          feedbackActiveLow: false,
          feedbackBias: 'as-is',
        },
      },
      'x',
    );
    expect(config.gpio).toMatchObject({
      contactorPositiveFeedbackPin: 6,
      feedbackActiveLow: false,
      feedbackBias: 'as-is',
    });
  });
});
