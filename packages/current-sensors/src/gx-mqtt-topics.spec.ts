import fc from 'fast-check';
import {
  decodeGxNumber,
  decodeGxPayload,
  encodeGxPayload,
  GX_KEEPALIVE_SUPPRESS_REPUBLISH,
  gxFullPublishCompletedTopic,
  gxKeepAliveTopic,
  gxNotificationTopic,
  gxReadTopic,
  parseGxNotificationTopic,
} from './gx-mqtt-topics';

const bytes = (text: string) => new TextEncoder().encode(text);

/*
 * Payloads as dbus-flashmq's README shows them ("Notifications", "Read requests", the settings
 * with min and max) and as its code writes them (zero bytes for a removed service), not captured
 * from a GX: none is at hand.
 */
describe('GX notification payloads', () => {
  it.each([
    ['{"value": 936}', { kind: 'value', value: 936 }],
    ['{"value":20.43000030517578}', { kind: 'value', value: 20.43000030517578 }],
    ['{"max":100.0,"min":0.0,"value":45.0}', { kind: 'value', value: 45 }],
    ['{"value":"SmartShunt 500A/50mV"}', { kind: 'value', value: 'SmartShunt 500A/50mV' }],
    ['{"value": null}', { kind: 'value', value: null }],
    ['', { kind: 'removed' }],
    ['{"value": 1', { kind: 'malformed', reason: 'not JSON text' }],
    ['[936]', { kind: 'malformed', reason: 'not an object with a value' }],
    ['{"values": 936}', { kind: 'malformed', reason: 'not an object with a value' }],
    ['936', { kind: 'malformed', reason: 'not an object with a value' }],
  ])('decodes %j', (payload, decoded) => {
    expect(decodeGxPayload(bytes(payload))).toEqual(decoded);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeGxPayload(Uint8Array.of(0x7b, 0xff, 0x7d))).toEqual({
      kind: 'malformed',
      reason: 'not JSON text',
    });
  });

  it.each([
    ['{"value":-12.5}', { kind: 'number', value: -12.5 }],
    ['{"value":0}', { kind: 'number', value: 0 }],
    ['{"value": null}', { kind: 'none', reason: 'no value (invalid on the D-Bus)' }],
    ['{"value":"-12.5"}', { kind: 'none', reason: 'a value that is not a number' }],
    ['{"value":true}', { kind: 'none', reason: 'a value that is not a number' }],
    ['{"value":NaN}', { kind: 'none', reason: 'not JSON text' }],
    ['{"value":1e999}', { kind: 'none', reason: 'a number out of range' }],
    ['', { kind: 'none', reason: 'the service left the GX' }],
  ])('reads %j as a number or says why not', (payload, reading) => {
    expect(decodeGxNumber(bytes(payload))).toEqual(reading);
  });

  it('encodes what the GX publishes', () => {
    expect(encodeGxPayload(-12.5)).toBe('{"value":-12.5}');
    expect(encodeGxPayload(null)).toBe('{"value":null}');
    expect(encodeGxPayload('tsBMS')).toBe('{"value":"tsBMS"}');
  });

  it('round-trips any number, text or null, and never throws on any bytes', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
    fc.assert(
      fc.property(fc.oneof(finite, fc.string(), fc.constant(null)), (value) => {
        expect(decodeGxPayload(bytes(encodeGxPayload(value)))).toEqual({ kind: 'value', value });
      }),
    );
    fc.assert(
      fc.property(finite, (value) => {
        expect(decodeGxNumber(bytes(encodeGxPayload(value)))).toEqual({ kind: 'number', value });
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        expect(() => decodeGxNumber(payload)).not.toThrow();
      }),
    );
  });

  it("the keep-alive option is the README's JSON", () => {
    expect(JSON.parse(GX_KEEPALIVE_SUPPRESS_REPUBLISH)).toEqual({
      'keepalive-options': ['suppress-republish'],
    });
  });
});

describe('GX topics', () => {
  const current = { portalId: 'c0619ab1c2d3', serviceType: 'battery', instance: '279', path: 'Dc/0/Current' };

  it('names a value, its read request, the keep-alive and the end of a full publish', () => {
    expect(gxNotificationTopic(current)).toBe('N/c0619ab1c2d3/battery/279/Dc/0/Current');
    expect(gxReadTopic(current)).toBe('R/c0619ab1c2d3/battery/279/Dc/0/Current');
    expect(gxKeepAliveTopic('c0619ab1c2d3')).toBe('R/c0619ab1c2d3/keepalive');
    expect(gxFullPublishCompletedTopic('c0619ab1c2d3')).toBe('N/c0619ab1c2d3/full_publish_completed');
  });

  it.each([
    ['N/c0619ab1c2d3/battery/279/Dc/0/Current', current],
    [
      'N/48e7da87942f/solarcharger/258/Link',
      { portalId: '48e7da87942f', serviceType: 'solarcharger', instance: '258', path: 'Link' },
    ],
    ['N/abc/rvc/can0/State', { portalId: 'abc', serviceType: 'rvc', instance: 'can0', path: 'State' }],
    ['N/abc/system/0/Serial', { portalId: 'abc', serviceType: 'system', instance: '0', path: 'Serial' }],
  ])('parses %s', (topic, address) => {
    expect(parseGxNotificationTopic(topic)).toEqual(address);
  });

  it.each([
    'R/c0619ab1c2d3/battery/279/Dc/0/Current',
    'W/c0619ab1c2d3/battery/279/Dc/0/Current',
    'N/c0619ab1c2d3/full_publish_completed',
    'N/c0619ab1c2d3/keepalive',
    'N/c0619ab1c2d3/battery/279',
    'N/c0619ab1c2d3/battery/+/Dc/0/Current',
    'N//battery/279/Dc/0/Current',
    'N/c0619ab1c2d3/battery/279/Dc//Current',
  ])('is no notification of a value: %s', (topic) => {
    expect(parseGxNotificationTopic(topic)).toBeNull();
  });

  it('round-trips any address', () => {
    const level = fc.stringMatching(/^[^/+#]{1,12}$/);
    fc.assert(
      fc.property(level, level, level, fc.array(level, { minLength: 1, maxLength: 4 }), (p, s, i, path) => {
        const address = { portalId: p, serviceType: s, instance: i, path: path.join('/') };
        expect(parseGxNotificationTopic(gxNotificationTopic(address))).toEqual(address);
      }),
    );
  });
});
