// alertPolicies.{create,get,list,patch,delete}. Changing or deleting a condition cancels its open
// incidents, as Cloud Monitoring does. Callers serialize these with the store's `exclusive` section.
import { isDeepStrictEqual } from 'node:util';
import { notFound } from '../../kit/google-error.js';
import type { Encoding } from '../enums.js';
import type { MonitoringStore } from '../store.js';
import { bindQuery, parseBody } from '../validation.js';
import { mutationRecord } from './checks.js';
import type { AlertEvaluator } from './evaluator.js';
import { listPage } from './list-query.js';
import type { AlertPolicy } from './model.js';
import { policyFromInput, type PolicyContext } from './policy-input.js';
import { BY_NAME, renderPolicy } from './render.js';
import { AlertPolicySchema, type AlertPolicyInput } from './schemas.js';
import type { AlertingState, Changes } from './state.js';
import { applyMask, parseUpdateMask } from './update-mask.js';

type Json = Record<string, unknown>;

const BODY = ['alertPolicy'];
const UPDATABLE = [
  'displayName',
  'documentation',
  'documentation.content',
  'documentation.mimeType',
  'documentation.subject',
  'documentation.links',
  'userLabels',
  'conditions',
  'combiner',
  'enabled',
  'notificationChannels',
  'alertStrategy',
  'alertStrategy.autoClose',
  'alertStrategy.notificationRateLimit',
  'alertStrategy.notificationPrompts',
  'alertStrategy.notificationChannelStrategy',
  'severity',
];
const FILTER_FIELDS = 'name, display_name, enabled, combiner, severity, documentation.content, documentation.mime_type, user_labels.<key>';

export const policyName = (project: string, id: string) => `projects/${project}/alertPolicies/${id}`;

export class PolicyService {
  constructor(
    private readonly store: MonitoringStore,
    private readonly state: AlertingState,
    private readonly evaluator: AlertEvaluator,
    private readonly now: () => number,
    /** Called after a write queued notifications (a changed condition's incidents closed). */
    private readonly onQueued: () => void,
  ) {}

  async create(project: string, query: URLSearchParams, body: unknown, enc: Encoding): Promise<Json> {
    bindQuery(query, { singular: [] });
    const input = parseBody(AlertPolicySchema, body, BODY);
    const name = policyName(project, this.state.newResourceId((id) => this.state.policies.has(policyName(project, id))));
    const record = mutationRecord(this.now());
    const policy = await policyFromInput(input, this.context(project, name, undefined, { creationRecord: record, mutationRecord: record }));
    await this.state.commit({ policies: [policy] });
    return renderPolicy(policy, enc);
  }

  get(project: string, id: string, query: URLSearchParams, enc: Encoding): Json {
    bindQuery(query, { singular: [] });
    return renderPolicy(this.require(project, id), enc);
  }

  list(project: string, query: URLSearchParams, enc: Encoding): Json {
    const prefix = `projects/${project}/`;
    const all = [...this.state.policies.values()].filter((p) => p.name.startsWith(prefix));
    const page = listPage(query, all, policySelector, FILTER_FIELDS, ['alertPolicies', project]);
    return {
      ...(page.items.length > 0 ? { alertPolicies: page.items.map((p) => renderPolicy(p, enc)) } : {}),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      ...(page.totalSize > 0 ? { totalSize: page.totalSize } : {}),
    };
  }

  async patch(project: string, id: string, query: URLSearchParams, body: unknown, enc: Encoding): Promise<Json> {
    const bound = bindQuery(query, { singular: ['updateMask'] });
    const current = this.require(project, id);
    const request = parseBody(AlertPolicySchema, body, BODY);
    const paths = parseUpdateMask(bound.get('updateMask')?.[0], UPDATABLE);
    let merged: AlertPolicyInput = request;
    if (paths.length > 0) {
      const currentInput = parseBody(AlertPolicySchema, renderPolicy(current, BY_NAME), BODY);
      merged = applyMask(currentInput, request, paths) as AlertPolicyInput;
    }
    const nowMs = this.now();
    const policy = await policyFromInput(merged, this.context(project, current.name, current, { creationRecord: current.creationRecord, mutationRecord: mutationRecord(nowMs) }));
    const retired = new Set(current.conditions.filter((old) => !isDeepStrictEqual(old, policy.conditions.find((c) => c.name === old.name))).map((c) => c.name));
    const cancelled: Changes = retired.size > 0 ? await this.evaluator.cancel(current, retired, 'policy-changed', nowMs) : {};
    await this.state.commit({ ...cancelled, policies: [policy] });
    if (cancelled.deliveries?.length) this.onQueued();
    return renderPolicy(policy, enc);
  }

  async delete(project: string, id: string, query: URLSearchParams): Promise<Json> {
    bindQuery(query, { singular: [] });
    const policy = this.require(project, id);
    const cancelled = await this.evaluator.cancel(policy, undefined, 'policy-deleted', this.now());
    await this.state.commit({ ...cancelled, removePolicies: [policy.name] });
    return {};
  }

  private context(project: string, name: string, existing: AlertPolicy | undefined, records: PolicyContext['records']): PolicyContext {
    return {
      project,
      name,
      ...(existing ? { existing } : {}),
      channelExists: (channel) => this.state.channels.has(channel),
      descriptorOf: (type) => this.store.getDescriptor(project, type),
      newConditionId: () => this.state.newResourceId((cid) => this.state.policies.get(name)?.conditions.some((c) => c.name.endsWith(`/${cid}`)) ?? false),
      records,
    };
  }

  private require(project: string, id: string): AlertPolicy {
    const policy = this.state.policies.get(policyName(project, id));
    if (!policy) throw notFound(`Alert policy ${policyName(project, id)} does not exist.`);
    return policy;
  }
}

function policySelector(selector: string): ((p: AlertPolicy) => string | undefined) | undefined {
  switch (selector) {
    case 'name':
      return (p) => p.name;
    case 'display_name':
      return (p) => p.displayName;
    case 'enabled':
      return (p) => String(p.enabled);
    case 'combiner':
      return (p) => p.combiner;
    case 'severity':
      return (p) => p.severity ?? 'SEVERITY_UNSPECIFIED';
    case 'documentation.content':
      return (p) => p.documentation?.content ?? '';
    case 'documentation.mime_type':
      return (p) => p.documentation?.mimeType ?? '';
  }
  const m = /^user_labels\.(.+)$/.exec(selector);
  if (!m) return undefined;
  const key = m[1]!;
  return (p) => p.userLabels[key];
}
