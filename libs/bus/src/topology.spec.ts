import { topicMatches } from './topology';

describe('topicMatches', () => {
  it.each([
    ['pipeline.deal.stage_changed', 'pipeline.deal.stage_changed'],
    ['pipeline.*.created', 'pipeline.deal.created'],
    ['*.*.*', 'identity.user.created'],
    ['pipeline.#', 'pipeline.deal.stage_changed'],
    ['pipeline.#', 'pipeline'],
    ['#', 'identity.user.created'],
    ['#.created', 'identity.user.created'],
    ['identity.#.created', 'identity.created'],
    ['identity.#.created', 'identity.team.member.created'],
    ['#.user.#', 'identity.user.created'],
  ])('matches %s against %s', (pattern, key) => {
    expect(topicMatches(pattern, key)).toBe(true);
  });

  it.each([
    ['pipeline.deal.stage_changed', 'pipeline.deal.created'],
    ['pipeline.deal', 'pipeline.deal.created'],
    ['pipeline.deal.created.extra', 'pipeline.deal.created'],
    ['pipeline.*', 'pipeline.deal.created'],
    ['*.*.*', 'identity.user'],
    ['*', 'identity.user'],
    ['pipeline.#', 'contacts.contact.created'],
    ['#.created', 'identity.user.updated'],
    ['identity.#.created', 'identity.user.created.again'],
    ['pipeline.deal.*', 'pipeline.deals.created'],
  ])('does not match %s against %s', (pattern, key) => {
    expect(topicMatches(pattern, key)).toBe(false);
  });

  it('lets * stand for exactly one word, never zero', () => {
    expect(topicMatches('identity.*.created', 'identity.created')).toBe(false);
    expect(topicMatches('identity.*.created', 'identity.user.created')).toBe(true);
  });

  it('compares words, not prefixes of them', () => {
    expect(topicMatches('identity.user.created', 'identity.user.created_v2')).toBe(false);
    expect(topicMatches('identity.user', 'identity.username')).toBe(false);
  });
});
