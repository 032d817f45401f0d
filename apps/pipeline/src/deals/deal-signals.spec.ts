import { dealInsights, dealSignals, RECENT_WITHIN_DAYS, STALE_AFTER_DAYS } from './deal-signals';

const DAY_MS = 86_400_000;
const now = new Date('2025-06-15T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);

type SignalDeal = Parameters<typeof dealSignals>[0];

/** An open deal with nothing to report: created and touched today, 50 %, no close date. */
function deal(overrides: Partial<SignalDeal> = {}): SignalDeal {
  return {
    status: 'open',
    probability: 50,
    expectedCloseDate: null,
    lastActivityAt: null,
    competitorMentioned: null,
    value: 1000,
    createdAt: now,
    ...overrides,
  };
}

describe('dealSignals', () => {
  it('has the thresholds of the rules', () => {
    expect(STALE_AFTER_DAYS).toBe(14);
    expect(RECENT_WITHIN_DAYS).toBe(7);
  });

  it('reports nothing for a fresh, middling deal', () => {
    expect(dealSignals(deal(), now)).toEqual({ risks: [], positives: [] });
  });

  it('reports nothing at all for a won or lost deal, whatever its data', () => {
    const troubled = {
      probability: 10,
      expectedCloseDate: '2020-01-01',
      lastActivityAt: daysAgo(100),
      createdAt: daysAgo(200),
      competitorMentioned: 'Rival',
    };
    expect(dealSignals(deal({ ...troubled, status: 'won' }), now)).toEqual({ risks: [], positives: [] });
    expect(dealSignals(deal({ ...troubled, status: 'lost' }), now)).toEqual({ risks: [], positives: [] });
    expect(dealSignals(deal({ status: 'won', probability: 100, lastActivityAt: now }), now)).toEqual({
      risks: [],
      positives: [],
    });
  });

  describe('no activity', () => {
    it('is a risk from 14 days after the last activity, not before', () => {
      expect(dealSignals(deal({ createdAt: daysAgo(30), lastActivityAt: daysAgo(14) }), now).risks).toEqual([
        'No activity for 14 days',
      ]);
      expect(
        dealSignals(
          deal({ createdAt: daysAgo(30), lastActivityAt: new Date(daysAgo(14).getTime() + 1) }),
          now,
        ).risks,
      ).toEqual([]);
      expect(dealSignals(deal({ createdAt: daysAgo(30), lastActivityAt: daysAgo(13) }), now).risks).toEqual(
        [],
      );
    });

    it('counts from the creation of a deal that never had an activity', () => {
      expect(dealSignals(deal({ createdAt: daysAgo(20) }), now).risks).toEqual(['No activity for 20 days']);
      expect(dealSignals(deal({ createdAt: daysAgo(13.9) }), now).risks).toEqual([]);
    });

    it('counts whole days', () => {
      expect(dealSignals(deal({ createdAt: daysAgo(15.9) }), now).risks).toEqual(['No activity for 15 days']);
    });
  });

  describe('expected close date', () => {
    it('is a risk once it is before today (UTC)', () => {
      expect(dealSignals(deal({ expectedCloseDate: '2025-06-14' }), now).risks).toEqual([
        'Expected close date 2025-06-14 has passed',
      ]);
    });

    it('is no risk today or later', () => {
      expect(dealSignals(deal({ expectedCloseDate: '2025-06-15' }), now).risks).toEqual([]);
      expect(dealSignals(deal({ expectedCloseDate: '2025-07-01' }), now).risks).toEqual([]);
    });

    it('compares with the UTC day, just before and after UTC midnight', () => {
      const late = new Date('2025-06-15T23:59:59.999Z');
      const early = new Date('2025-06-16T00:00:00.000Z');
      const due = deal({ expectedCloseDate: '2025-06-15', createdAt: late, lastActivityAt: null });
      expect(dealSignals(due, late).risks).toEqual([]);
      expect(dealSignals({ ...due, createdAt: early }, early).risks).toEqual([
        'Expected close date 2025-06-15 has passed',
      ]);
    });
  });

  describe('probability', () => {
    it('below 30 is a risk, 30 is not', () => {
      expect(dealSignals(deal({ probability: 29 }), now).risks).toEqual(['Low probability (29%)']);
      expect(dealSignals(deal({ probability: 0 }), now).risks).toEqual(['Low probability (0%)']);
      expect(dealSignals(deal({ probability: 30 }), now).risks).toEqual([]);
    });

    it('above 70 is a positive, 70 is not', () => {
      expect(dealSignals(deal({ probability: 71 }), now).positives).toEqual(['High probability (71%)']);
      expect(dealSignals(deal({ probability: 70 }), now).positives).toEqual([]);
    });
  });

  it('names a mentioned competitor as a risk', () => {
    expect(dealSignals(deal({ competitorMentioned: 'Globex' }), now).risks).toEqual([
      'Competitor in play: Globex',
    ]);
  });

  describe('recent activity', () => {
    it('is a positive up to 7 days after the last activity', () => {
      expect(dealSignals(deal({ lastActivityAt: now }), now).positives).toEqual([
        'Active in the last 7 days',
      ]);
      expect(dealSignals(deal({ lastActivityAt: daysAgo(7) }), now).positives).toEqual([
        'Active in the last 7 days',
      ]);
      expect(dealSignals(deal({ lastActivityAt: daysAgo(7.99) }), now).positives).toEqual([
        'Active in the last 7 days',
      ]);
      expect(dealSignals(deal({ lastActivityAt: daysAgo(8) }), now).positives).toEqual([]);
    });

    it('needs an activity: a deal merely created recently is not active', () => {
      expect(dealSignals(deal({ createdAt: daysAgo(1), lastActivityAt: null }), now).positives).toEqual([]);
    });
  });

  it('lists every risk and positive that applies, in a fixed order', () => {
    expect(
      dealSignals(
        deal({
          createdAt: daysAgo(60),
          lastActivityAt: daysAgo(20),
          expectedCloseDate: '2025-05-31',
          probability: 10,
          competitorMentioned: 'Initech',
        }),
        now,
      ),
    ).toEqual({
      risks: [
        'No activity for 20 days',
        'Expected close date 2025-05-31 has passed',
        'Low probability (10%)',
        'Competitor in play: Initech',
      ],
      positives: [],
    });
    expect(dealSignals(deal({ lastActivityAt: daysAgo(2), probability: 90 }), now)).toEqual({
      risks: [],
      positives: ['Active in the last 7 days', 'High probability (90%)'],
    });
  });
});

describe('dealInsights', () => {
  it('suggests nothing for a fresh, middling deal, nor for a closed one', () => {
    expect(dealInsights(deal(), now)).toEqual([]);
    const troubled = {
      probability: 90,
      expectedCloseDate: '2020-01-01',
      createdAt: daysAgo(100),
      competitorMentioned: 'Rival',
    };
    expect(dealInsights(deal({ ...troubled, status: 'won' }), now)).toEqual([]);
    expect(dealInsights(deal({ ...troubled, status: 'lost' }), now)).toEqual([]);
  });

  it('warns of a deal going cold after 14 days, with a high impact from 50000 on', () => {
    const cold = deal({ createdAt: daysAgo(30), lastActivityAt: daysAgo(16), value: 49_999.99 });
    expect(dealInsights(cold, now)).toEqual([
      {
        type: 'risk',
        title: 'Deal going cold',
        description: 'Nothing has been logged on this deal for 16 days.',
        impact: 'medium',
        actionable: true,
        suggestedAction: 'Schedule a call or send a follow-up',
      },
    ]);
    expect(dealInsights({ ...cold, value: 50_000 }, now)[0]!.impact).toBe('high');
    expect(dealInsights(deal({ createdAt: daysAgo(13) }), now)).toEqual([]);
    expect(dealInsights(deal({ createdAt: daysAgo(14) }), now).map((insight) => insight.title)).toEqual([
      'Deal going cold',
    ]);
  });

  it('suggests updating a close date that has passed', () => {
    expect(dealInsights(deal({ expectedCloseDate: '2025-06-01' }), now)).toEqual([
      {
        type: 'suggestion',
        title: 'Close date passed',
        description: 'The expected close date (2025-06-01) is in the past.',
        impact: 'medium',
        actionable: true,
        suggestedAction: 'Update the expected close date or the stage',
      },
    ]);
    expect(dealInsights(deal({ expectedCloseDate: '2025-06-15' }), now)).toEqual([]);
  });

  it('flags a competitor', () => {
    expect(dealInsights(deal({ competitorMentioned: 'Umbrella' }), now)).toEqual([
      {
        type: 'competitor',
        title: 'Competing with Umbrella',
        description: 'A competitor was mentioned on this deal.',
        impact: 'medium',
        actionable: true,
        suggestedAction: 'Prepare a comparison and reinforce the value proposition',
      },
    ]);
  });

  it('points out a deal above 70 % as likely to close, with nothing to do', () => {
    expect(dealInsights(deal({ probability: 75 }), now)).toEqual([
      {
        type: 'opportunity',
        title: 'Likely to close',
        description: 'At 75% this deal is among the likeliest to close.',
        impact: 'high',
        actionable: false,
        suggestedAction: null,
      },
    ]);
    expect(dealInsights(deal({ probability: 70 }), now)).toEqual([]);
  });

  it('lists every insight that applies, in a fixed order', () => {
    const insights = dealInsights(
      deal({
        createdAt: daysAgo(40),
        expectedCloseDate: '2025-01-01',
        competitorMentioned: 'Acme',
        probability: 80,
      }),
      now,
    );
    expect(insights.map((insight) => insight.type)).toEqual([
      'risk',
      'suggestion',
      'competitor',
      'opportunity',
    ]);
  });
});
