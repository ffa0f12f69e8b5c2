// notificationChannels.{create,get,list,patch,delete} and notificationChannelDescriptors.{list,get}.
// Callers serialize these with the store's `exclusive` section.
import { GoogleApiError, notFound } from '../../kit/google-error.js';
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../../kit/page-token.js';
import type { Encoding } from '../enums.js';
import { parseInt32 } from '../proto-json.js';
import { bindQuery, invalidField, parseBody, queryValue } from '../validation.js';
import { findChannelType, listChannelTypes } from './channel-types.js';
import { checkLength, checkUserLabels, mutationRecord, required } from './checks.js';
import { listPage } from './list-query.js';
import type { AlertPolicy, NotificationChannel } from './model.js';
import { BY_NAME, renderChannel, renderChannelDescriptor } from './render.js';
import { NotificationChannelSchema, type NotificationChannelInput } from './schemas.js';
import type { AlertingState } from './state.js';
import { applyMask, parseUpdateMask } from './update-mask.js';

type Json = Record<string, unknown>;

const BODY = ['notificationChannel'];
const UPDATABLE = ['displayName', 'description', 'labels', 'userLabels', 'enabled'];
const FILTER_FIELDS = 'name, type, display_name, description, enabled, verification_status, labels.<key>, user_labels.<key>';

export const channelName = (project: string, id: string) => `projects/${project}/notificationChannels/${id}`;

export class ChannelService {
  constructor(
    private readonly state: AlertingState,
    private readonly now: () => number,
  ) {}

  async create(project: string, query: URLSearchParams, body: unknown, enc: Encoding): Promise<Json> {
    bindQuery(query, { singular: [] });
    const input = parseBody(NotificationChannelSchema, body, BODY);
    const name = channelName(project, this.state.newResourceId((id) => this.state.channels.has(channelName(project, id))));
    const record = mutationRecord(this.now());
    const channel = buildChannel(input, name, { creationRecord: record, mutationRecords: [record] });
    await this.state.commit({ channels: [channel] });
    return renderChannel(channel, enc);
  }

  get(project: string, id: string, query: URLSearchParams, enc: Encoding): Json {
    bindQuery(query, { singular: [] });
    return renderChannel(this.require(project, id), enc);
  }

  list(project: string, query: URLSearchParams, enc: Encoding): Json {
    const prefix = `projects/${project}/`;
    const all = [...this.state.channels.values()].filter((c) => c.name.startsWith(prefix));
    const page = listPage(query, all, channelSelector, FILTER_FIELDS, ['notificationChannels', project]);
    return {
      ...(page.items.length > 0 ? { notificationChannels: page.items.map((c) => renderChannel(c, enc)) } : {}),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      ...(page.totalSize > 0 ? { totalSize: page.totalSize } : {}),
    };
  }

  async patch(project: string, id: string, query: URLSearchParams, body: unknown, enc: Encoding): Promise<Json> {
    const bound = bindQuery(query, { singular: ['updateMask'] });
    const current = this.require(project, id);
    const request = parseBody(NotificationChannelSchema, body, BODY);
    const paths = parseUpdateMask(bound.get('updateMask')?.[0], UPDATABLE);
    if (request.type !== undefined && request.type !== current.type) {
      throw invalidField('notification_channel.type', 'The type of a notification channel cannot be changed.', request.type);
    }
    let merged: NotificationChannelInput;
    if (paths.length > 0) {
      const currentInput = parseBody(NotificationChannelSchema, renderChannel(current, BY_NAME), BODY);
      merged = applyMask(currentInput, request, paths) as NotificationChannelInput;
    } else {
      merged = { ...request, type: current.type };
    }
    const channel = buildChannel(merged, current.name, {
      creationRecord: current.creationRecord,
      mutationRecords: [...current.mutationRecords, mutationRecord(this.now())],
    });
    await this.state.commit({ channels: [channel] });
    return renderChannel(channel, enc);
  }

  /** Without `force`, a channel that policies use is refused; with it, it is removed from them. */
  async delete(project: string, id: string, query: URLSearchParams): Promise<Json> {
    const bound = bindQuery(query, { singular: ['force'] });
    const force = queryValue(bound, 'force', 'TYPE_BOOL', (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined)) ?? false;
    const channel = this.require(project, id);
    const users = [...this.state.policies.values()].filter((p) => usesChannel(p, channel.name));
    if (users.length > 0 && !force) {
      throw new GoogleApiError(
        400,
        `Notification channel ${channel.name} is used by alert policies (${users.map((p) => p.name).join(', ')}); remove it from them first, or delete it with force=true.`,
        { status: 'FAILED_PRECONDITION' },
      );
    }
    const record = mutationRecord(this.now());
    const policies = users.map((p) => withoutChannel(p, channel.name, record));
    await this.state.commit({ policies, removeChannels: [channel.name] });
    return {};
  }

  listDescriptors(project: string, query: URLSearchParams, enc: Encoding): Json {
    const bound = bindQuery(query, { singular: ['pageSize', 'pageToken'] });
    const pageSize = effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), 1000);
    const fingerprint = queryFingerprint(['notificationChannelDescriptors', project]);
    const { offset } = decodeOffsetToken(bound.get('pageToken')?.[0], fingerprint);
    const all = listChannelTypes();
    const page = all.slice(offset, offset + pageSize);
    return {
      ...(page.length > 0 ? { channelDescriptors: page.map((t) => renderChannelDescriptor(project, t, enc)) } : {}),
      ...(offset + pageSize < all.length ? { nextPageToken: encodeOffsetToken(fingerprint, offset + pageSize) } : {}),
    };
  }

  getDescriptor(project: string, type: string, query: URLSearchParams, enc: Encoding): Json {
    bindQuery(query, { singular: [] });
    const t = findChannelType(type);
    if (!t) throw notFound(`Notification channel descriptor projects/${project}/notificationChannelDescriptors/${type} does not exist.`);
    return renderChannelDescriptor(project, t, enc);
  }

  private require(project: string, id: string): NotificationChannel {
    const channel = this.state.channels.get(channelName(project, id));
    if (!channel) throw notFound(`Notification channel ${channelName(project, id)} does not exist.`);
    return channel;
  }
}

/** A validated channel from request fields; output-only fields come from `records`. */
function buildChannel(input: NotificationChannelInput, name: string, records: Pick<NotificationChannel, 'creationRecord' | 'mutationRecords'>): NotificationChannel {
  const typeName = required(input.type, 'notification_channel.type');
  const type = findChannelType(typeName);
  if (!type) {
    throw invalidField('notification_channel.type', `Unknown notification channel type; the emulator serves ${listChannelTypes().map((t) => t.type).join(', ')}.`, typeName);
  }
  const labels = input.labels ?? {};
  for (const key of Object.keys(labels)) {
    if (!type.labels.some((l) => l.key === key)) {
      throw invalidField(`notification_channel.labels[${key}]`, `Channels of type ${type.type} have no label "${key}"; their labels are ${type.labels.map((l) => l.key).join(', ')}.`, key);
    }
  }
  for (const label of type.labels) {
    const value = labels[label.key];
    if (value === undefined || value === '') {
      if (label.required) throw invalidField(`notification_channel.labels[${label.key}]`, `Channels of type ${type.type} require the label "${label.key}".`);
      continue;
    }
    const problem = label.check(value);
    if (problem) throw invalidField(`notification_channel.labels[${label.key}]`, `The value ${problem}.`, value);
  }
  checkLength(input.displayName, 512, 'notification_channel.display_name');
  checkLength(input.description, 1024, 'notification_channel.description');
  const userLabels = input.userLabels ?? {};
  checkUserLabels(userLabels, 'notification_channel.user_labels');
  return {
    name,
    type: type.type,
    ...(input.displayName ? { displayName: input.displayName } : {}),
    ...(input.description ? { description: input.description } : {}),
    labels: { ...labels },
    userLabels: { ...userLabels },
    verificationStatus: type.verificationStatus,
    enabled: input.enabled ?? true,
    ...records,
  };
}

function usesChannel(policy: AlertPolicy, channel: string): boolean {
  return policy.notificationChannels.includes(channel) || (policy.alertStrategy?.notificationChannelStrategy ?? []).some((s) => s.notificationChannelNames.includes(channel));
}

function withoutChannel(policy: AlertPolicy, channel: string, record: AlertPolicy['mutationRecord']): AlertPolicy {
  const strategy = policy.alertStrategy;
  return {
    ...policy,
    notificationChannels: policy.notificationChannels.filter((c) => c !== channel),
    ...(strategy
      ? {
          alertStrategy: {
            ...strategy,
            ...(strategy.notificationChannelStrategy
              ? {
                  notificationChannelStrategy: strategy.notificationChannelStrategy
                    .map((s) => ({ ...s, notificationChannelNames: s.notificationChannelNames.filter((c) => c !== channel) }))
                    .filter((s) => s.notificationChannelNames.length > 0),
                }
              : {}),
          },
        }
      : {}),
    mutationRecord: record,
  };
}

function channelSelector(selector: string): ((c: NotificationChannel) => string | undefined) | undefined {
  switch (selector) {
    case 'name':
      return (c) => c.name;
    case 'type':
      return (c) => c.type;
    case 'display_name':
      return (c) => c.displayName ?? '';
    case 'description':
      return (c) => c.description ?? '';
    case 'enabled':
      return (c) => String(c.enabled);
    case 'verification_status':
      return (c) => c.verificationStatus;
  }
  const m = /^(labels|user_labels)\.(.+)$/.exec(selector);
  if (!m) return undefined;
  const key = m[2]!;
  return m[1] === 'labels' ? (c) => c.labels[key] : (c) => c.userLabels[key];
}
