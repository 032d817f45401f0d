import { AT_RISK_BELOW, HOT_ABOVE } from './deal-query';
import { type Deal } from './deal.entity';
import { utcToday } from './stage-rules';

export interface DealSignals {
  risks: string[];
  positives: string[];
}

export interface DealInsight {
  type: 'opportunity' | 'risk' | 'suggestion' | 'competitor';
  title: string;
  description: string;
  impact: 'high' | 'medium' | 'low';
  actionable: boolean;
  suggestedAction: string | null;
}

const DAY_MS = 86_400_000;
export const STALE_AFTER_DAYS = 14;
export const RECENT_WITHIN_DAYS = 7;

type SignalDeal = Pick<
  Deal,
  | 'status'
  | 'probability'
  | 'expectedCloseDate'
  | 'lastActivityAt'
  | 'competitorMentioned'
  | 'value'
  | 'createdAt'
>;

const daysSince = (date: Date, now: Date) => Math.floor((now.getTime() - date.getTime()) / DAY_MS);

/**
 * Risks and positive signals read from the deal's own data by fixed rules; the AI service will
 * add signals extracted from conversations. A closed deal has none.
 */
export function dealSignals(deal: SignalDeal, now: Date): DealSignals {
  const signals: DealSignals = { risks: [], positives: [] };
  if (deal.status !== 'open') return signals;
  const today = utcToday(now);
  const lastTouch = deal.lastActivityAt ?? deal.createdAt;
  const quietDays = daysSince(lastTouch, now);
  if (quietDays >= STALE_AFTER_DAYS) signals.risks.push(`No activity for ${quietDays} days`);
  if (deal.expectedCloseDate && deal.expectedCloseDate < today)
    signals.risks.push(`Expected close date ${deal.expectedCloseDate} has passed`);
  if (deal.probability < AT_RISK_BELOW) signals.risks.push(`Low probability (${deal.probability}%)`);
  if (deal.competitorMentioned) signals.risks.push(`Competitor in play: ${deal.competitorMentioned}`);
  if (deal.lastActivityAt && daysSince(deal.lastActivityAt, now) <= RECENT_WITHIN_DAYS)
    signals.positives.push('Active in the last 7 days');
  if (deal.probability > HOT_ABOVE) signals.positives.push(`High probability (${deal.probability}%)`);
  return signals;
}

/** Insights the rules suggest acting on, from the same data. */
export function dealInsights(deal: SignalDeal, now: Date): DealInsight[] {
  const insights: DealInsight[] = [];
  if (deal.status !== 'open') return insights;
  const today = utcToday(now);
  const quietDays = daysSince(deal.lastActivityAt ?? deal.createdAt, now);
  if (quietDays >= STALE_AFTER_DAYS)
    insights.push({
      type: 'risk',
      title: 'Deal going cold',
      description: `Nothing has been logged on this deal for ${quietDays} days.`,
      impact: deal.value >= 50_000 ? 'high' : 'medium',
      actionable: true,
      suggestedAction: 'Schedule a call or send a follow-up',
    });
  if (deal.expectedCloseDate && deal.expectedCloseDate < today)
    insights.push({
      type: 'suggestion',
      title: 'Close date passed',
      description: `The expected close date (${deal.expectedCloseDate}) is in the past.`,
      impact: 'medium',
      actionable: true,
      suggestedAction: 'Update the expected close date or the stage',
    });
  if (deal.competitorMentioned)
    insights.push({
      type: 'competitor',
      title: `Competing with ${deal.competitorMentioned}`,
      description: 'A competitor was mentioned on this deal.',
      impact: 'medium',
      actionable: true,
      suggestedAction: 'Prepare a comparison and reinforce the value proposition',
    });
  if (deal.probability > HOT_ABOVE)
    insights.push({
      type: 'opportunity',
      title: 'Likely to close',
      description: `At ${deal.probability}% this deal is among the likeliest to close.`,
      impact: 'high',
      actionable: false,
      suggestedAction: null,
    });
  return insights;
}
