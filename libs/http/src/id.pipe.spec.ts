import { NotFoundError } from './errors';
import { ParseIdPipe } from './id.pipe';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();

  it('passes a lower-case UUID through unchanged', () => {
    expect(pipe.transform('0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b')).toBe(
      '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
    );
  });

  it('lower-cases an upper-case UUID so that lookups match the stored id', () => {
    expect(pipe.transform('0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B')).toBe(
      '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
    );
  });

  it.each([
    ['a number', '42'],
    ['an empty string', ''],
    ['a UUID without dashes', '0190a5b27c3d7e4f8a1b2c3d4e5f6a7b'],
    ['a UUID with a non-hex digit', '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7g'],
    ['a UUID with a suffix', '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b-1'],
    ['a UUID in braces', '{0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b}'],
    ['SQL', "1' OR '1'='1"],
  ])('answers %s with NotFoundError, as for any unknown id', (_kind, value) => {
    expect(() => pipe.transform(value)).toThrow(NotFoundError);
  });
});
