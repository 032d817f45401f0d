import { AT_RISK_ABOVE, HIGH_VALUE_ABOVE } from './contact-query';
import { type Contact } from './contact.entity';

export type InsightPriority = 'high' | 'medium' | 'low';

/** Something a salesperson should know or do about a contact. */
export interface ContactInsight {
  type:
    'follow_up_overdue' | 'going_cold' | 'churn_risk' | 'negative_sentiment' | 'low_health' | 'high_value';
  priority: InsightPriority;
  title: string;
  description: string;
}

const DAY_MS = 86_400_000;
export const GOING_COLD_DAYS = 30;
export const LOW_HEALTH_BELOW = 40;

const PRIORITY_ORDER: Record<InsightPriority, number> = { high: 0, medium: 1, low: 2 };

/**
 * Insights derived from the contact's own data by fixed rules, most urgent first. They are
 * computed on read, so they are never stale; model-based insights join them when the AI service
 * publishes its analyses.
 */
export function contactInsights(
  contact: Pick<
    Contact,
    | 'nextFollowUpAt'
    | 'lastContactAt'
    | 'churnRisk'
    | 'sentiment'
    | 'healthScore'
    | 'totalDealsValue'
    | 'createdAt'
  >,
  now: Date,
): ContactInsight[] {
  const insights: ContactInsight[] = [];
  const daysSince = (date: Date) => Math.floor((now.getTime() - date.getTime()) / DAY_MS);

  if (contact.nextFollowUpAt && contact.nextFollowUpAt.getTime() < now.getTime()) {
    const days = daysSince(contact.nextFollowUpAt);
    insights.push({
      type: 'follow_up_overdue',
      priority: days >= 3 ? 'high' : 'medium',
      title: 'Follow-up overdue',
      description:
        days === 0
          ? 'The planned follow-up is due today and has not happened yet.'
          : `The planned follow-up is ${days} day${days === 1 ? '' : 's'} overdue.`,
    });
  }
  if (contact.churnRisk > AT_RISK_ABOVE) {
    insights.push({
      type: 'churn_risk',
      priority: 'high',
      title: 'At risk of churning',
      description: `Churn risk is ${contact.churnRisk}/100.`,
    });
  }
  const lastTouch = contact.lastContactAt ?? contact.createdAt;
  const silentDays = daysSince(lastTouch);
  if (silentDays >= GOING_COLD_DAYS) {
    insights.push({
      type: 'going_cold',
      priority: contact.totalDealsValue > HIGH_VALUE_ABOVE ? 'high' : 'medium',
      title: 'Relationship going cold',
      description: contact.lastContactAt
        ? `No communication logged for ${silentDays} days.`
        : `No communication logged since the contact was added ${silentDays} days ago.`,
    });
  }
  if (contact.sentiment === 'negative') {
    insights.push({
      type: 'negative_sentiment',
      priority: 'medium',
      title: 'Negative sentiment',
      description: 'Recent interactions were negative; consider a check-in call.',
    });
  }
  if (contact.healthScore < LOW_HEALTH_BELOW) {
    insights.push({
      type: 'low_health',
      priority: 'medium',
      title: 'Low relationship health',
      description: `Health score is ${contact.healthScore}/100.`,
    });
  }
  if (contact.totalDealsValue > HIGH_VALUE_ABOVE) {
    insights.push({
      type: 'high_value',
      priority: 'low',
      title: 'High-value relationship',
      description: `Open and won deals total ${contact.totalDealsValue.toFixed(2)}.`,
    });
  }
  return insights.sort((a, b) => PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority]);
}
