// Hand-made zstd frames for the decompression-limit tests.

/** A zstd frame of `prefix`, `zeros` zero bytes as RLE blocks (4 bytes per 128 KiB) and `suffix`: a decompression bomb. */
export function zstdRleFrame(
  prefix: Buffer,
  zeros: number,
  suffix: Buffer = Buffer.alloc(0),
  contentSize?: bigint,
): Buffer {
  const header =
    contentSize === undefined
      ? Buffer.from([0x00, 0x38])
      : Buffer.concat([Buffer.from([0xc0, 0x38]), Buffer.alloc(8)]);
  if (contentSize !== undefined) header.writeBigUInt64LE(contentSize, 2);
  const blocks: Buffer[] = [];
  const block = (type: number, size: number, body: Buffer): void => {
    const h = Buffer.alloc(3);
    h.writeUIntLE((size << 3) | (type << 1), 0, 3);
    blocks.push(h, body);
  };
  if (prefix.length > 0) block(0, prefix.length, prefix);
  for (let rest = zeros; rest > 0; rest -= 128 * 1024) block(1, Math.min(rest, 128 * 1024), Buffer.from([0]));
  block(0, suffix.length, suffix);
  const last = blocks[blocks.length - 2]!;
  last[0] = last[0]! | 1; // last block
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), header, ...blocks]);
}
