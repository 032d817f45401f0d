import { DEFAULT_STAGES, type Stage } from '../pipelines/stages';
import { enterStage, statusOf, utcToday } from './stage-rules';

const stage = (key: string): Stage => DEFAULT_STAGES.find((s) => s.key === key)!;
const prospect = stage('prospect');
const negotiation = stage('negotiation');
const won = stage('closed_won');
const lost = stage('closed_lost');
const now = new Date('2025-06-15T12:00:00.000Z');

describe('utcToday', () => {
  it.each([
    ['the middle of a day', '2025-06-15T12:00:00.000Z', '2025-06-15'],
    ['UTC midnight exactly', '2025-06-15T00:00:00.000Z', '2025-06-15'],
    ['just before UTC midnight', '2025-06-15T23:59:59.999Z', '2025-06-15'],
    ['the last moment of a year', '2024-12-31T23:59:59.999Z', '2024-12-31'],
    ['a leap day', '2024-02-29T10:00:00.000Z', '2024-02-29'],
    [
      'an instant written at +02:00 that is still the previous UTC day',
      '2025-07-01T01:00:00+02:00',
      '2025-06-30',
    ],
    [
      'an instant written at -05:00 that is already the next UTC day',
      '2025-06-30T20:00:00-05:00',
      '2025-07-01',
    ],
  ])('is the UTC calendar day for %s', (_case, at, expected) => {
    expect(utcToday(new Date(at))).toBe(expected);
  });

  it('is the current UTC day when no moment is given', () => {
    const before = new Date().toISOString().slice(0, 10);
    const today = utcToday();
    const after = new Date().toISOString().slice(0, 10);
    expect([before, after]).toContain(today);
  });
});

describe('statusOf', () => {
  it('is won for a won stage, lost for a lost stage, open for every other', () => {
    expect(statusOf(won)).toBe('won');
    expect(statusOf(lost)).toBe('lost');
    for (const key of ['prospect', 'qualified', 'proposal', 'negotiation'])
      expect(statusOf(stage(key))).toBe('open');
  });

  it('reads the flags of custom stages too', () => {
    expect(statusOf({ key: 'signed', name: 'Signed', probability: 90, isWon: true, isLost: false })).toBe(
      'won',
    );
    expect(statusOf({ key: 'gone', name: 'Gone', probability: 40, isWon: false, isLost: true })).toBe('lost');
    expect(statusOf({ key: 'talk', name: 'Talk', probability: 40, isWon: false, isLost: false })).toBe(
      'open',
    );
  });
});

describe('enterStage', () => {
  describe('probability', () => {
    it("is the stage's when none is given", () => {
      expect(DEFAULT_STAGES.map((s) => enterStage(s, {}, null, now).probability)).toEqual([
        10, 25, 50, 75, 100, 0,
      ]);
    });

    it('is the one given, whatever the stage says', () => {
      expect(enterStage(prospect, { probability: 65 }, null, now).probability).toBe(65);
      expect(enterStage(won, { probability: 80 }, null, now).probability).toBe(80);
      expect(enterStage(lost, { probability: 5 }, null, now).probability).toBe(5);
    });

    it('keeps a given 0 and a given 100 (not mistaken for "none")', () => {
      expect(enterStage(negotiation, { probability: 0 }, null, now).probability).toBe(0);
      expect(enterStage(prospect, { probability: 100 }, null, now).probability).toBe(100);
    });

    it('ignores the current deal: a deal entering a stage takes its probability', () => {
      const current = { closedDate: '2025-01-10', lossReason: 'price' };
      expect(enterStage(negotiation, {}, current, now).probability).toBe(75);
    });
  });

  describe('stage and status', () => {
    it("are the stage's key and its kind", () => {
      expect(enterStage(prospect, {}, null, now)).toMatchObject({ stage: 'prospect', status: 'open' });
      expect(enterStage(won, {}, null, now)).toMatchObject({ stage: 'closed_won', status: 'won' });
      expect(enterStage(lost, {}, null, now)).toMatchObject({ stage: 'closed_lost', status: 'lost' });
    });
  });

  describe('closedDate', () => {
    it('is today (UTC) for a closed stage entered without one', () => {
      expect(enterStage(won, {}, null, now).closedDate).toBe('2025-06-15');
      expect(enterStage(lost, {}, null, now).closedDate).toBe('2025-06-15');
    });

    it('is the UTC day, not the local one, just before and just after UTC midnight', () => {
      expect(enterStage(won, {}, null, new Date('2025-06-30T23:59:59.999Z')).closedDate).toBe('2025-06-30');
      expect(enterStage(won, {}, null, new Date('2025-07-01T00:00:00.000Z')).closedDate).toBe('2025-07-01');
      expect(enterStage(won, {}, null, new Date('2025-07-01T01:30:00+03:00')).closedDate).toBe('2025-06-30');
    });

    it('is the one given for a closed stage', () => {
      expect(enterStage(won, { closedDate: '2025-03-01' }, null, now).closedDate).toBe('2025-03-01');
      expect(enterStage(lost, { closedDate: '2024-12-31' }, null, now).closedDate).toBe('2024-12-31');
    });

    it('is today when null is given for a closed stage (a closed deal always has one)', () => {
      expect(enterStage(won, { closedDate: null }, null, now).closedDate).toBe('2025-06-15');
    });

    it('stays what it was for a deal that was already closed', () => {
      const current = { closedDate: '2025-01-10', lossReason: null };
      expect(enterStage(lost, {}, current, now).closedDate).toBe('2025-01-10');
      expect(enterStage(won, {}, current, now).closedDate).toBe('2025-01-10');
    });

    it('is the one given even for a deal that was already closed', () => {
      const current = { closedDate: '2025-01-10', lossReason: null };
      expect(enterStage(lost, { closedDate: '2025-02-02' }, current, now).closedDate).toBe('2025-02-02');
    });

    it('is cleared when a deal reopens, even when one is given', () => {
      const current = { closedDate: '2025-01-10', lossReason: 'price' };
      expect(enterStage(negotiation, {}, current, now).closedDate).toBeNull();
      expect(enterStage(prospect, { closedDate: '2025-06-01' }, current, now).closedDate).toBeNull();
      expect(enterStage(prospect, { closedDate: '2025-06-01' }, null, now).closedDate).toBeNull();
    });
  });

  describe('lossReason', () => {
    it('is the one given on a lost stage', () => {
      expect(enterStage(lost, { lossReason: 'Too expensive' }, null, now).lossReason).toBe('Too expensive');
    });

    it('is null on a lost stage entered without one', () => {
      expect(enterStage(lost, {}, null, now).lossReason).toBeNull();
    });

    it('stays what it was for a deal already lost, unless another is given', () => {
      const current = { closedDate: '2025-01-10', lossReason: 'Went silent' };
      expect(enterStage(lost, {}, current, now).lossReason).toBe('Went silent');
      expect(enterStage(lost, { lossReason: 'Budget cut' }, current, now).lossReason).toBe('Budget cut');
    });

    it('is dropped on a won stage and on an open stage, even when given', () => {
      const current = { closedDate: '2025-01-10', lossReason: 'Went silent' };
      expect(enterStage(won, { lossReason: 'ignored' }, null, now).lossReason).toBeNull();
      expect(enterStage(won, {}, current, now).lossReason).toBeNull();
      expect(enterStage(negotiation, { lossReason: 'ignored' }, current, now).lossReason).toBeNull();
    });
  });

  it('answers the whole entry at once', () => {
    expect(
      enterStage(lost, { probability: 3, closedDate: '2025-05-05', lossReason: 'Timing' }, null, now),
    ).toEqual({
      stage: 'closed_lost',
      status: 'lost',
      probability: 3,
      closedDate: '2025-05-05',
      lossReason: 'Timing',
    });
    expect(enterStage(prospect, {}, null, now)).toEqual({
      stage: 'prospect',
      status: 'open',
      probability: 10,
      closedDate: null,
      lossReason: null,
    });
  });
});
