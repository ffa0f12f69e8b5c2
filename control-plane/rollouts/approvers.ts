// Who may approve a model's rollouts: its spec's approvers (for this environment) and the
// deployment's own (MLOPS_APPROVERS, which Pulumi sets from the stack's mlops:approvers).
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { ControlPlaneContext } from '../runtime/context.js';

export function approversOf(ctx: ControlPlaneContext, spec: Pick<ResolvedModelSpec, 'approvals'>): string[] {
  const seen = new Set<string>();
  return [...spec.approvals.approvers, ...(ctx.settings.approvers ?? [])].filter((email) => {
    const key = email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
