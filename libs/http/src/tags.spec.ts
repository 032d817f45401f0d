import { MAX_TAGS, normalizeTags, TAG_MAX_LENGTH } from './tags';

describe('normalizeTags', () => {
  it('keeps clean tags as they are, in order', () => {
    expect(normalizeTags(['vip', 'Newsletter', 'partner'])).toEqual(['vip', 'Newsletter', 'partner']);
  });

  it('trims each tag', () => {
    expect(normalizeTags(['  vip ', '\tnewsletter\n'])).toEqual(['vip', 'newsletter']);
  });

  it('drops empty and blank tags', () => {
    expect(normalizeTags(['', 'vip', '   ', '\t'])).toEqual(['vip']);
  });

  it('drops repeats whatever their case, keeping the first spelling where it stood', () => {
    expect(normalizeTags(['VIP', 'partner', 'vip', 'Vip', 'PARTNER', 'events'])).toEqual([
      'VIP',
      'partner',
      'events',
    ]);
  });

  it('compares tags after trimming them', () => {
    expect(normalizeTags([' vip', 'VIP ', 'vip'])).toEqual(['vip']);
  });

  it('keeps inner blanks and tags that differ only by them', () => {
    expect(normalizeTags(['key account', 'keyaccount', 'key  account'])).toEqual([
      'key account',
      'keyaccount',
      'key  account',
    ]);
  });

  it('has no tags for no tags', () => {
    expect(normalizeTags([])).toEqual([]);
  });

  it('leaves the given list untouched', () => {
    const tags = [' vip ', 'VIP'];
    normalizeTags(tags);
    expect(tags).toEqual([' vip ', 'VIP']);
  });

  it('has the limits of the contract', () => {
    expect(MAX_TAGS).toBe(50);
    expect(TAG_MAX_LENGTH).toBe(50);
  });
});
