// Task groups: the control-flow structure of a pipeline (KFP's TasksGroup family).
import type { LoopArgument, PipelineChannel } from './channels.js';
import type { PipelineTask } from './task.js';

export type Operand = PipelineChannel | string | number | boolean;
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ConditionOperation {
  readonly operator: ComparisonOperator;
  readonly left: Operand;
  readonly right: Operand;
  readonly negate: boolean;
}

function comparison(operator: ComparisonOperator) {
  return (left: Operand, right: Operand): ConditionOperation => ({ operator, left, right, negate: false });
}

export const eq = comparison('==');
export const ne = comparison('!=');
export const lt = comparison('<');
export const le = comparison('<=');
export const gt = comparison('>');
export const ge = comparison('>=');

export type GroupKind = 'pipeline' | 'condition' | 'condition-branches' | 'for-loop' | 'exit-handler';

export class TasksGroup {
  readonly groups: TasksGroup[] = [];
  readonly tasks: PipelineTask[] = [];
  parent: TasksGroup | undefined;

  constructor(
    readonly kind: GroupKind,
    public name: string,
    public displayName?: string,
  ) {}
}

export class ConditionGroup extends TasksGroup {
  constructor(
    name: string,
    /** Conjunction: Elif/Else carry the negations of the earlier branches. */
    readonly conditions: readonly ConditionOperation[],
    /** What the next Elif/Else must add: the negation of every branch so far. */
    readonly negatedUpstream: readonly ConditionOperation[],
    displayName?: string,
  ) {
    super('condition', name, displayName);
  }
}

export class ConditionBranchesGroup extends TasksGroup {
  private oneOfCount = 0;
  constructor(name: string) {
    super('condition-branches', name);
  }
  nextOneOfId(): number {
    return ++this.oneOfCount;
  }
}

export class ParallelForGroup extends TasksGroup {
  constructor(
    name: string,
    readonly loopArgument: LoopArgument,
    /** 0 means unbounded. */
    readonly parallelism: number,
  ) {
    super('for-loop', name);
  }
}

export class ExitHandlerGroup extends TasksGroup {
  constructor(
    name: string,
    readonly exitTask: PipelineTask,
    displayName?: string,
  ) {
    super('exit-handler', name, displayName);
  }
}

export function negated(op: ConditionOperation): ConditionOperation {
  return { ...op, negate: true };
}
