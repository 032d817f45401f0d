import { QueryFailedError } from 'typeorm';
import { refuseDuplicate, violates } from './errors';

const uniqueViolation = (constraint: string) =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error('duplicate key'), { constraint }));

describe('violates', () => {
  it('names the constraint a database error violated', () => {
    expect(violates(uniqueViolation('tags_name_key'), 'tags_name_key')).toBe(true);
    expect(violates(uniqueViolation('other_key'), 'tags_name_key')).toBe(false);
    expect(violates(new Error('tags_name_key'), 'tags_name_key')).toBe(false);
  });
});

describe('refuseDuplicate', () => {
  const conflict = () => new Error('taken');

  it('answers what the write answers', async () => {
    await expect(refuseDuplicate('k', conflict, async () => 42)).resolves.toBe(42);
  });

  it('turns the violation of its constraint into the conflict', async () => {
    await expect(refuseDuplicate('k', conflict, () => Promise.reject(uniqueViolation('k')))).rejects.toThrow(
      'taken',
    );
  });

  it('lets any other failure through as it is', async () => {
    const other = uniqueViolation('another');
    await expect(refuseDuplicate('k', conflict, () => Promise.reject(other))).rejects.toBe(other);
    const plain = new Error('connection lost');
    await expect(refuseDuplicate('k', conflict, () => Promise.reject(plain))).rejects.toBe(plain);
  });
});
