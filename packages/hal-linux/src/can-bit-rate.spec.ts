import { bitRateFromIpLinkJson, readCanBitRate } from './can-bit-rate';

/*
 * iproute2's `ip -details -json link show dev can0` for a CAN interface, in the shape of
 * ip/iplink_can.c's JSON output (linkinfo.info_data.bittiming), trimmed to one interface's keys.
 * The vcan0 case is checked against the real `ip` in user-mode Linux (socketcan-bus.vcan.spec.ts).
 */
const can0At = (bitrate: number) =>
  JSON.stringify([
    {
      ifindex: 3,
      ifname: 'can0',
      flags: ['NOARP', 'UP', 'LOWER_UP', 'ECHO'],
      mtu: 16,
      operstate: 'UP',
      link_type: 'can',
      linkinfo: {
        info_kind: 'can',
        info_data: {
          ctrlmode: [],
          state: 'ERROR-ACTIVE',
          restart_ms: 100,
          bittiming: {
            bitrate,
            sample_point: '0.875',
            tq: 125,
            prop_seg: 6,
            phase_seg1: 7,
            phase_seg2: 2,
            sjw: 1,
            brp: 1,
          },
          clock: 8000000,
        },
      },
    },
  ]);
const vcan0 = JSON.stringify([
  {
    ifindex: 2,
    ifname: 'vcan0',
    flags: ['NOARP', 'UP', 'LOWER_UP'],
    link_type: 'none',
    linkinfo: { info_kind: 'vcan' },
  },
]);

describe('bitRateFromIpLinkJson', () => {
  it("reads a CAN interface's bit rate", () => {
    expect(bitRateFromIpLinkJson(can0At(500_000))).toBe(500_000);
    expect(bitRateFromIpLinkJson(can0At(250_000))).toBe(250_000);
  });

  it('is null for a vcan, a CAN interface without bit timing, or anything else', () => {
    expect(bitRateFromIpLinkJson(vcan0)).toBeNull();
    expect(bitRateFromIpLinkJson(can0At(0))).toBeNull();
    for (const text of ['', 'Device "can9" does not exist.', '[]', '{}', 'null', '[{"linkinfo":null}]'])
      expect(bitRateFromIpLinkJson(text)).toBeNull();
  });
});

describe('readCanBitRate', () => {
  it('asks ip for the one interface, and reads its answer', async () => {
    const calls: Array<readonly string[]> = [];
    const run = (args: readonly string[]) => {
      calls.push(args);
      return Promise.resolve(can0At(500_000));
    };
    await expect(readCanBitRate('can0', run)).resolves.toBe(500_000);
    expect(calls).toEqual([['-details', '-json', 'link', 'show', 'dev', 'can0']]);
  });

  it('refuses a name that is no interface before running anything', async () => {
    const run = jest.fn(() => Promise.resolve(''));
    for (const name of ['', '-json', '../x', 'a'.repeat(16)])
      await expect(readCanBitRate(name, run)).rejects.toThrow(/not an interface name/);
    expect(run).not.toHaveBeenCalled();
  });

  it("passes on ip's failure", async () => {
    await expect(
      readCanBitRate('can9', () => Promise.reject(new Error('Device "can9" does not exist.'))),
    ).rejects.toThrow(/does not exist/);
  });
});
