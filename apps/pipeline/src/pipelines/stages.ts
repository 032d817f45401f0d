/** One step of a pipeline. Keys are what deals store; won and lost stages close a deal. */
export interface Stage {
  readonly key: string;
  readonly name: string;
  readonly probability: number;
  readonly isWon: boolean;
  readonly isLost: boolean;
}

/** The contract's default pipeline, created for every organization. */
export const DEFAULT_PIPELINE_NAME = 'Sales pipeline';
export const DEFAULT_STAGES: readonly Stage[] = [
  { key: 'prospect', name: 'Prospect', probability: 10, isWon: false, isLost: false },
  { key: 'qualified', name: 'Qualified', probability: 25, isWon: false, isLost: false },
  { key: 'proposal', name: 'Proposal', probability: 50, isWon: false, isLost: false },
  { key: 'negotiation', name: 'Negotiation', probability: 75, isWon: false, isLost: false },
  { key: 'closed_won', name: 'Closed won', probability: 100, isWon: true, isLost: false },
  { key: 'closed_lost', name: 'Closed lost', probability: 0, isWon: false, isLost: true },
];

export const isClosed = (stage: Stage): boolean => stage.isWon || stage.isLost;

/**
 * What is wrong with a list of stages, field by field: keys unique, at least one stage, a stage
 * not both won and lost. Empty when they are fine.
 */
export function stageProblems(stages: readonly Stage[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (stages.length === 0) problems.push({ field: 'stages', message: 'a pipeline needs at least one stage' });
  const seen = new Set<string>();
  stages.forEach((stage, index) => {
    if (seen.has(stage.key))
      problems.push({ field: `stages.${index}.key`, message: `stage key "${stage.key}" is repeated` });
    seen.add(stage.key);
    if (stage.isWon && stage.isLost)
      problems.push({ field: `stages.${index}`, message: 'a stage is either won or lost, not both' });
  });
  return problems;
}
