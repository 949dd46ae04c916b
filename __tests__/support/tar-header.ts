// A ustar header block written by hand (no tar library), so the tests judge the project's tar reading independently.

/** The header block for `name`, with a correct checksum unless `edit` breaks it afterwards. */
export function tarHeader(name: string, size: number, type = '0', edit?: (block: Buffer) => void): Buffer {
  const block = Buffer.alloc(512)
  block.write(name, 0, 'utf8')
  block.write('0000644\0', 100)
  block.write('0000000\0', 108)
  block.write('0000000\0', 116)
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
  block.write('00000000000\0', 136)
  block.write(type, 156)
  block.write('ustar\u000000', 257, 'latin1')
  edit?.(block)
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return block
}
