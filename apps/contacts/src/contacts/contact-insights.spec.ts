import { type ContactInsight, contactInsights, GOING_COLD_DAYS, LOW_HEALTH_BELOW } from './contact-insights';

type InsightInput = Parameters<typeof contactInsights>[0];

const DAY = 86_400_000;
const now = new Date('2025-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

/** A contact with nothing to say about it: contacted yesterday, healthy, no risk, small deals. */
const healthy: InsightInput = {
  nextFollowUpAt: null,
  lastContactAt: ago(DAY),
  churnRisk: 10,
  sentiment: 'neutral',
  healthScore: 70,
  totalDealsValue: 1_000,
  createdAt: ago(365 * DAY),
};

const insights = (changes: Partial<InsightInput>) => contactInsights({ ...healthy, ...changes }, now);
const types = (changes: Partial<InsightInput>) => insights(changes).map((i) => i.type);
const only = (changes: Partial<InsightInput>): ContactInsight => {
  const found = insights(changes);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('contactInsights', () => {
  it('has nothing to say about a healthy, recently contacted contact', () => {
    expect(contactInsights(healthy, now)).toEqual([]);
  });

  it('has the thresholds of the rules', () => {
    expect(GOING_COLD_DAYS).toBe(30);
    expect(LOW_HEALTH_BELOW).toBe(40);
  });

  describe('follow_up_overdue', () => {
    it('is quiet for a follow-up still to come, or due this very moment', () => {
      expect(insights({ nextFollowUpAt: new Date(now.getTime() + 1) })).toEqual([]);
      expect(insights({ nextFollowUpAt: new Date(now.getTime() + 7 * DAY) })).toEqual([]);
      expect(insights({ nextFollowUpAt: now })).toEqual([]);
    });

    it('is medium for a follow-up passed earlier today', () => {
      expect(only({ nextFollowUpAt: ago(1) })).toEqual({
        type: 'follow_up_overdue',
        priority: 'medium',
        title: 'Follow-up overdue',
        description: 'The planned follow-up is due today and has not happened yet.',
      });
      expect(only({ nextFollowUpAt: ago(DAY - 1) }).description).toBe(
        'The planned follow-up is due today and has not happened yet.',
      );
    });

    it('is medium, counting whole days, up to three days overdue', () => {
      expect(only({ nextFollowUpAt: ago(DAY) })).toMatchObject({
        priority: 'medium',
        description: 'The planned follow-up is 1 day overdue.',
      });
      expect(only({ nextFollowUpAt: ago(2 * DAY) })).toMatchObject({
        priority: 'medium',
        description: 'The planned follow-up is 2 days overdue.',
      });
      expect(only({ nextFollowUpAt: ago(3 * DAY - 1) })).toMatchObject({
        priority: 'medium',
        description: 'The planned follow-up is 2 days overdue.',
      });
    });

    it('is high from three days overdue', () => {
      expect(only({ nextFollowUpAt: ago(3 * DAY) })).toMatchObject({
        type: 'follow_up_overdue',
        priority: 'high',
        description: 'The planned follow-up is 3 days overdue.',
      });
      expect(only({ nextFollowUpAt: ago(40 * DAY) })).toMatchObject({
        priority: 'high',
        description: 'The planned follow-up is 40 days overdue.',
      });
    });
  });

  describe('churn_risk', () => {
    it('is quiet at a churn risk of 60', () => {
      expect(insights({ churnRisk: 60 })).toEqual([]);
    });

    it('is high above 60', () => {
      expect(only({ churnRisk: 61 })).toEqual({
        type: 'churn_risk',
        priority: 'high',
        title: 'At risk of churning',
        description: 'Churn risk is 61/100.',
      });
      expect(only({ churnRisk: 100 }).description).toBe('Churn risk is 100/100.');
    });
  });

  describe('going_cold', () => {
    it('is quiet until 30 whole days without communication', () => {
      expect(insights({ lastContactAt: ago(30 * DAY - 1) })).toEqual([]);
    });

    it('is medium after 30 days without communication', () => {
      expect(only({ lastContactAt: ago(30 * DAY) })).toEqual({
        type: 'going_cold',
        priority: 'medium',
        title: 'Relationship going cold',
        description: 'No communication logged for 30 days.',
      });
      expect(only({ lastContactAt: ago(95 * DAY + 5) }).description).toBe(
        'No communication logged for 95 days.',
      );
    });

    it('is high for a high-value relationship (deals above 50000)', () => {
      const cold = { lastContactAt: ago(45 * DAY) };
      expect(insights({ ...cold, totalDealsValue: 50_000 }).map((i) => [i.type, i.priority])).toEqual([
        ['going_cold', 'medium'],
      ]);
      expect(insights({ ...cold, totalDealsValue: 50_000.01 }).map((i) => [i.type, i.priority])).toEqual([
        ['going_cold', 'high'],
        ['high_value', 'low'],
      ]);
    });

    it('counts from when the contact was added when it was never contacted', () => {
      expect(only({ lastContactAt: null, createdAt: ago(30 * DAY) })).toMatchObject({
        type: 'going_cold',
        priority: 'medium',
        description: 'No communication logged since the contact was added 30 days ago.',
      });
      expect(insights({ lastContactAt: null, createdAt: ago(30 * DAY - 1) })).toEqual([]);
      expect(insights({ lastContactAt: null, createdAt: ago(DAY) })).toEqual([]);
    });

    it('goes by the last communication, however old the contact', () => {
      expect(insights({ lastContactAt: ago(2 * DAY), createdAt: ago(1000 * DAY) })).toEqual([]);
    });
  });

  describe('negative_sentiment', () => {
    it('is medium for a negative sentiment only', () => {
      expect(only({ sentiment: 'negative' })).toEqual({
        type: 'negative_sentiment',
        priority: 'medium',
        title: 'Negative sentiment',
        description: 'Recent interactions were negative; consider a check-in call.',
      });
      expect(insights({ sentiment: 'positive' })).toEqual([]);
      expect(insights({ sentiment: 'neutral' })).toEqual([]);
    });
  });

  describe('low_health', () => {
    it('is quiet at a health score of 40', () => {
      expect(insights({ healthScore: 40 })).toEqual([]);
    });

    it('is medium below 40', () => {
      expect(only({ healthScore: 39 })).toEqual({
        type: 'low_health',
        priority: 'medium',
        title: 'Low relationship health',
        description: 'Health score is 39/100.',
      });
      expect(only({ healthScore: 0 }).description).toBe('Health score is 0/100.');
    });
  });

  describe('high_value', () => {
    it('is quiet at deals worth exactly 50000', () => {
      expect(insights({ totalDealsValue: 50_000 })).toEqual([]);
    });

    it('is low above 50000, with the total to the cent', () => {
      expect(only({ totalDealsValue: 50_000.01 })).toEqual({
        type: 'high_value',
        priority: 'low',
        title: 'High-value relationship',
        description: 'Open and won deals total 50000.01.',
      });
      expect(only({ totalDealsValue: 75_000 }).description).toBe('Open and won deals total 75000.00.');
    });
  });

  describe('order', () => {
    const priorities = (found: ContactInsight[]) => found.map((i) => i.priority);
    const rank = { high: 0, medium: 1, low: 2 } as const;

    it('puts a high insight before a medium one found first', () => {
      // A follow-up one day late (medium) is found before the churn risk (high).
      expect(types({ nextFollowUpAt: ago(DAY), churnRisk: 90 })).toEqual(['churn_risk', 'follow_up_overdue']);
    });

    it('puts a medium insight before a low one found first', () => {
      expect(types({ totalDealsValue: 60_000, healthScore: 10 })).toEqual(['low_health', 'high_value']);
    });

    it('gives every insight that applies, most urgent first', () => {
      const found = insights({
        nextFollowUpAt: ago(DAY),
        churnRisk: 75,
        lastContactAt: ago(60 * DAY),
        sentiment: 'negative',
        healthScore: 20,
        totalDealsValue: 120_000,
      });
      expect(found.map((i) => i.type).sort()).toEqual(
        [
          'churn_risk',
          'follow_up_overdue',
          'going_cold',
          'high_value',
          'low_health',
          'negative_sentiment',
        ].sort(),
      );
      const ranks = priorities(found).map((p) => rank[p]);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(priorities(found)).toEqual(['high', 'high', 'medium', 'medium', 'medium', 'low']);
      expect(
        found
          .slice(0, 2)
          .map((i) => i.type)
          .sort(),
      ).toEqual(['churn_risk', 'going_cold']);
    });
  });

  it('does not depend on the clock, only on the `now` it is given', () => {
    const contact = { ...healthy, lastContactAt: new Date('2020-01-01T00:00:00.000Z') };
    expect(contactInsights(contact, new Date('2020-01-15T00:00:00.000Z'))).toEqual([]);
    expect(contactInsights(contact, new Date('2020-01-31T00:00:00.000Z')).map((i) => i.type)).toEqual([
      'going_cold',
    ]);
  });
});
