import { type Stage } from '../pipelines/stages';
import { type DealStatus } from './deal.entity';

/** Today as the API speaks dates: the UTC calendar day. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function statusOf(stage: Stage): DealStatus {
  return stage.isWon ? 'won' : stage.isLost ? 'lost' : 'open';
}

/** What a deal's fields become when it enters `stage`. */
export interface StageEntry {
  readonly stage: string;
  readonly status: DealStatus;
  readonly probability: number;
  readonly closedDate: string | null;
  readonly lossReason: string | null;
}

/**
 * The contract's rules for entering a stage: the probability is the stage's unless one is given;
 * a closed stage keeps the closed date given, else today (UTC); an open stage has none (reopening
 * clears it); a loss reason belongs to a lost deal only.
 */
export function enterStage(
  stage: Stage,
  given: { probability?: number; closedDate?: string | null; lossReason?: string | null },
  current: { closedDate: string | null; lossReason: string | null } | null,
  now: Date = new Date(),
): StageEntry {
  const status = statusOf(stage);
  const closedDate = status === 'open' ? null : (given.closedDate ?? current?.closedDate ?? utcToday(now));
  const lossReason = status === 'lost' ? (given.lossReason ?? current?.lossReason ?? null) : null;
  return {
    stage: stage.key,
    status,
    probability: given.probability ?? stage.probability,
    closedDate,
    lossReason,
  };
}
