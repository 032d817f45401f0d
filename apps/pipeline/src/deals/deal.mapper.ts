import { type DealSnapshot } from '@flow-crm/contracts';
import { type DealActivity } from './deal-activity.entity';
import { type Deal, type DealStatus, type Level } from './deal.entity';
import { type StageChange } from './stage-change.entity';

/** A deal as the API shows it. */
export interface DealResponse {
  id: string;
  organizationId: string;
  ownerId: string;
  title: string;
  contactId: string | null;
  contactName: string | null;
  customerId: string | null;
  company: string | null;
  value: number;
  currency: string;
  pipelineId: string;
  stage: string;
  status: DealStatus;
  probability: number;
  confidence: Level;
  expectedCloseDate: string | null;
  closedDate: string | null;
  description: string | null;
  priority: Level;
  competitorMentioned: string | null;
  lossReason: string | null;
  lastActivityAt: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toDealResponse(deal: Deal): DealResponse {
  return {
    id: deal.id,
    organizationId: deal.organizationId,
    ownerId: deal.ownerId,
    title: deal.title,
    contactId: deal.contactId,
    contactName: deal.contactName,
    customerId: deal.customerId,
    company: deal.company,
    value: deal.value,
    currency: deal.currency,
    pipelineId: deal.pipelineId,
    stage: deal.stage,
    status: deal.status,
    probability: deal.probability,
    confidence: deal.confidence,
    expectedCloseDate: deal.expectedCloseDate,
    closedDate: deal.closedDate,
    description: deal.description,
    priority: deal.priority,
    competitorMentioned: deal.competitorMentioned,
    lossReason: deal.lossReason,
    lastActivityAt: iso(deal.lastActivityAt),
    tags: deal.tags,
    createdAt: deal.createdAt.toISOString(),
    updatedAt: deal.updatedAt.toISOString(),
  };
}

export interface ActivityResponse {
  id: string;
  dealId: string;
  userId: string;
  type: string;
  occurredAt: string;
  description: string;
  outcome: string | null;
  nextStep: string | null;
  createdAt: string;
}

export function toActivityResponse(activity: DealActivity): ActivityResponse {
  return {
    id: activity.id,
    dealId: activity.dealId,
    userId: activity.userId,
    type: activity.type,
    occurredAt: activity.occurredAt.toISOString(),
    description: activity.description,
    outcome: activity.outcome,
    nextStep: activity.nextStep,
    createdAt: activity.createdAt.toISOString(),
  };
}

export interface StageChangeResponse {
  fromStage: string | null;
  toStage: string;
  changedAt: string;
  changedBy: string;
}

export function toStageChangeResponse(change: StageChange): StageChangeResponse {
  return {
    fromStage: change.fromStage,
    toStage: change.toStage,
    changedAt: change.changedAt.toISOString(),
    changedBy: change.changedBy,
  };
}

/** What other services replicate of a deal. */
export function dealSnapshot(deal: Deal): DealSnapshot {
  return {
    id: deal.id,
    organizationId: deal.organizationId,
    ownerId: deal.ownerId,
    title: deal.title,
    contactId: deal.contactId,
    customerId: deal.customerId,
    company: deal.company,
    value: deal.value,
    currency: deal.currency,
    pipelineId: deal.pipelineId,
    stage: deal.stage,
    probability: deal.probability,
    isWon: deal.status === 'won',
    isLost: deal.status === 'lost',
  };
}
