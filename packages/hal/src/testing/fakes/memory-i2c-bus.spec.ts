import { I2cError } from '../../i2c-bus';
import { i2cBusContract } from '..';
import { I2cMemoryDevice, MemoryI2cBus, type I2cDeviceModel } from './memory-i2c-bus';

i2cBusContract('MemoryI2cBus with an I2cMemoryDevice', async () => {
  const bus = new MemoryI2cBus();
  bus.attach(0x50, new I2cMemoryDevice());
  return { bus, address: 0x50, absentAddress: 0x51, teardown: () => bus.close() };
});

/** A converter without registers (MCP3421 style): a config byte in, conversion bytes out. */
class PlainDevice implements I2cDeviceModel {
  readonly written: number[][] = [];
  write(bytes: Uint8Array): void {
    this.written.push([...bytes]);
  }
  read(length: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => 0xa0 + i);
  }
}

describe('MemoryI2cBus', () => {
  it('puts register transfers on the wire as a pointer write, then the data MSB first, and records them', async () => {
    const bus = new MemoryI2cBus('/dev/i2c-9');
    const memory = bus.attach(0x40, new I2cMemoryDevice());
    await bus.writeWord(0x40, 0x05, 0x0a1b);
    expect(await bus.readWord(0x40, 0x05)).toBe(0x0a1b);
    expect([memory.bytes[5], memory.bytes[6]]).toEqual([0x0a, 0x1b]);
    expect(bus.transactions).toEqual(['w 40 05 0a 1b', 'w 40 05', 'r 40 2']);
  });

  it('makes plain reads and writes without a register pointer', async () => {
    const bus = new MemoryI2cBus();
    const device = bus.attach(0x68, new PlainDevice());
    await bus.write(0x68, Uint8Array.of(0x9c));
    expect(await bus.read(0x68, 3)).toEqual(Uint8Array.of(0xa0, 0xa1, 0xa2));
    expect(device.written).toEqual([[0x9c]]);
    expect(bus.transactions).toEqual(['w 68 9c', 'r 68 3']);
  });

  it('stops answering for a detached device, and fails transfers on request, naming the address', async () => {
    const bus = new MemoryI2cBus('/dev/i2c-1');
    bus.attach(0x40, new I2cMemoryDevice());
    bus.failTransfers(0x40);
    await expect(bus.readWord(0x40, 1)).rejects.toMatchObject({
      code: 'I2C_TRANSFER_FAILED',
      context: { bus: '/dev/i2c-1', address: 0x40 },
    });
    bus.failTransfers(undefined);
    await expect(bus.readWord(0x40, 1)).resolves.toBe(0);
    bus.detach(0x40);
    const error = await bus.readWord(0x40, 0x02).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(I2cError);
    expect(error).toMatchObject({ code: 'I2C_NO_DEVICE', context: { address: 0x40, register: 0x02 } });
    expect((error as Error).message).toBe('/dev/i2c-1 device 0x40 register 0x02: no device answers');
    expect(bus.transactions).toEqual(['w 40 01', 'r 40 2']);
  });
});
