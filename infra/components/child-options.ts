// Options for a component's resources: Pulumi does not pass a component's `dependsOn` on to its
// children, so a component created after (say) the APIs it needs hands that wait to each resource.
import * as pulumi from '@pulumi/pulumi';

type Dependencies = pulumi.ComponentResourceOptions['dependsOn'];

/** `parent`, plus the component's own `dependsOn` and `extra` as the child's `dependsOn`. */
export function childOptions(parent: pulumi.ComponentResource, componentOpts: pulumi.ComponentResourceOptions | undefined, extra: readonly pulumi.Input<pulumi.Resource>[] = []): pulumi.CustomResourceOptions {
  const inherited: Dependencies = componentOpts?.dependsOn;
  if (inherited === undefined && extra.length === 0) return { parent };
  if (inherited === undefined) return { parent, dependsOn: [...extra] };
  if (Array.isArray(inherited)) return { parent, dependsOn: [...inherited, ...extra] };
  if (pulumi.Resource.isInstance(inherited)) return { parent, dependsOn: [inherited, ...extra] };
  // An Output or Promise of one resource or a list: wait for it and the extras together.
  const resolved = pulumi.output(inherited as pulumi.Input<pulumi.Resource | pulumi.Input<pulumi.Resource>[]>);
  return { parent, dependsOn: resolved.apply((d): pulumi.Input<pulumi.Resource>[] => [...(Array.isArray(d) ? (d as pulumi.Input<pulumi.Resource>[]) : [d]), ...extra]) };
}
