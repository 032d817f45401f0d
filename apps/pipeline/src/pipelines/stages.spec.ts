import { DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, isClosed, type Stage, stageProblems } from './stages';

const open = (key: string, probability = 50): Stage => ({
  key,
  name: key,
  probability,
  isWon: false,
  isLost: false,
});

describe('the default pipeline', () => {
  it('has the six stages of the contract, in order, with their probabilities', () => {
    expect(DEFAULT_PIPELINE_NAME).toBe('Sales pipeline');
    expect(DEFAULT_STAGES.map((stage) => [stage.key, stage.probability])).toEqual([
      ['prospect', 10],
      ['qualified', 25],
      ['proposal', 50],
      ['negotiation', 75],
      ['closed_won', 100],
      ['closed_lost', 0],
    ]);
  });

  it('closes a deal as won in closed_won and as lost in closed_lost only', () => {
    expect(DEFAULT_STAGES.filter((stage) => stage.isWon).map((stage) => stage.key)).toEqual(['closed_won']);
    expect(DEFAULT_STAGES.filter((stage) => stage.isLost).map((stage) => stage.key)).toEqual(['closed_lost']);
  });

  it('names every stage and passes its own checks', () => {
    expect(DEFAULT_STAGES.every((stage) => stage.name.length > 0)).toBe(true);
    expect(stageProblems(DEFAULT_STAGES)).toEqual([]);
  });
});

describe('isClosed', () => {
  it('is true for won and lost stages only', () => {
    expect(DEFAULT_STAGES.map(isClosed)).toEqual([false, false, false, false, true, true]);
    expect(isClosed({ ...open('x'), isWon: true })).toBe(true);
    expect(isClosed({ ...open('x'), isLost: true })).toBe(true);
    expect(isClosed(open('x'))).toBe(false);
  });
});

describe('stageProblems', () => {
  it('finds nothing wrong with distinct stages, one of them open', () => {
    expect(stageProblems([open('a'), { ...open('b'), isWon: true }, { ...open('c'), isLost: true }])).toEqual(
      [],
    );
    expect(stageProblems([open('only')])).toEqual([]);
  });

  it('refuses a pipeline without stages', () => {
    expect(stageProblems([])).toEqual([{ field: 'stages', message: 'a pipeline needs at least one stage' }]);
  });

  it('names each repeated key at its position, the first occurrence being fine', () => {
    expect(stageProblems([open('a'), open('b'), open('a'), open('b'), open('a')])).toEqual([
      { field: 'stages.2.key', message: 'stage key "a" is repeated' },
      { field: 'stages.3.key', message: 'stage key "b" is repeated' },
      { field: 'stages.4.key', message: 'stage key "a" is repeated' },
    ]);
  });

  it('compares keys exactly (keys are lower case by validation)', () => {
    expect(stageProblems([open('a'), open('A')])).toEqual([]);
  });

  it('refuses a stage both won and lost, at its position', () => {
    expect(stageProblems([open('a'), { ...open('b'), isWon: true, isLost: true }])).toEqual([
      { field: 'stages.1', message: 'a stage is either won or lost, not both' },
    ]);
  });

  it('reports every problem at once', () => {
    expect(stageProblems([open('a'), { ...open('a'), isWon: true, isLost: true }])).toEqual([
      { field: 'stages.1.key', message: 'stage key "a" is repeated' },
      { field: 'stages.1', message: 'a stage is either won or lost, not both' },
    ]);
  });
});
