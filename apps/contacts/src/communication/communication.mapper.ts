import { type CommunicationEvent } from './communication-event.entity';

export interface CommunicationResponse {
  id: string;
  contactId: string;
  userId: string;
  type: string;
  occurredAt: string;
  subject: string | null;
  summary: string;
  sentiment: string | null;
  createdAt: string;
}

export function toCommunicationResponse(event: CommunicationEvent): CommunicationResponse {
  return {
    id: event.id,
    contactId: event.contactId,
    userId: event.userId,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    subject: event.subject,
    summary: event.summary,
    sentiment: event.sentiment,
    createdAt: event.createdAt.toISOString(),
  };
}
