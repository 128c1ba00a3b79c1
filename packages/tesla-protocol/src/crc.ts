/**
 * CRC-8 of the bq76PL536A link: polynomial x^8 + x^2 + x + 1 (0x07), initial value 0, MSB first,
 * not reflected, no final XOR (the SMBus PEC). It covers every byte of a frame before the CRC.
 */
const CRC8_TABLE: readonly number[] = (() => {
  const table: number[] = [];
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    table.push(crc);
  }
  return Object.freeze(table);
})();

/** CRC-8 (poly 0x07, init 0) of the first `length` bytes (default: all of them). */
export function crc8(bytes: Uint8Array | readonly number[], length = bytes.length): number {
  let crc = 0;
  for (let i = 0; i < length; i++) crc = CRC8_TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}
