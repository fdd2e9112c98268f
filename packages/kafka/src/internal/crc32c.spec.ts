import { randomBytes } from 'node:crypto';
import kafkajsCrc32C from 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
import { crc32c } from './crc32c.js';

describe(crc32c, () => {
  it('gives the check value of the CRC-32C catalogue for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for no bytes and checksums only the given range', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const bytes = Buffer.from('xx123456789yy');
    expect(crc32c(bytes, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with kafkajs on random inputs of every length around the 8-byte stride', () => {
    for (let length = 0; length < 300; length++) {
      const bytes = randomBytes(length);
      expect(crc32c(bytes)).toBe(kafkajsCrc32C(bytes));
    }
  });
});
