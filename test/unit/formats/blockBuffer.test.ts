import { BlockBuffer } from '../../../src/formats/blockBuffer';

describe('BlockBuffer', () => {
  it('holds exactly the UTF-8 of what was written, across growth, for any text', () => {
    const buffer = new BlockBuffer(8);
    const pieces = ['ascii', 'é', '€uro', '😀 pair', 'lone \ud800 surrogate', 'x'.repeat(100), '\u2028', ''];
    for (const piece of pieces) buffer.write(piece);
    buffer.writeBytes(Buffer.from([0xef, 0xbb, 0xbf]));
    buffer.write('end');
    expect(Buffer.compare(buffer.bytes(), Buffer.concat([Buffer.from(pieces.join(''), 'utf8'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('end')]))).toBe(0);
    expect(buffer.length).toBe(buffer.bytes().length);
  });

  it('starts empty again after clear, keeping nothing of the previous block', () => {
    const buffer = new BlockBuffer(16);
    buffer.write('first block, longer than sixteen bytes');
    buffer.clear();
    expect(buffer.length).toBe(0);
    buffer.write('second');
    expect(buffer.bytes().toString('utf8')).toBe('second');
  });

  it('writes text that only fits once its exact UTF-8 length is known', () => {
    // 10 code units of worst-case room would be 30 bytes; the text needs 10.
    const buffer = new BlockBuffer(12);
    buffer.write('ab');
    buffer.write('0123456789');
    expect(buffer.bytes().toString('utf8')).toBe('ab0123456789');
  });
});
