import { plainToInstance } from 'class-transformer';
import { Trim, TrimToNull } from './transforms';

class Sample {
  @Trim() name?: unknown;
  @TrimToNull() title?: unknown;
}

const read = (plain: object) => plainToInstance(Sample, plain);

describe('Trim and TrimToNull', () => {
  it('trims strings and leaves other values alone', () => {
    expect(read({ name: '  Ada  ', title: ' CTO ' })).toEqual({ name: 'Ada', title: 'CTO' });
    expect(read({ name: 42, title: null })).toEqual({ name: 42, title: null });
  });

  it('turns blank text into null only where a value may be cleared', () => {
    expect(read({ name: '   ', title: '   ' })).toEqual({ name: '', title: null });
  });
});
