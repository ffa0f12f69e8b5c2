// The notification channel types the emulator serves (notificationChannelDescriptors), with the
// labels each requires and how their values are checked. Pub/Sub channels publish through the
// local Pub/Sub emulator; email channels are stored and their deliveries recorded, never sent.
import type { LabelValueTypeName } from '../enums.js';
import type { VerificationStatusName } from './enums.js';

export interface ChannelLabel {
  key: string;
  valueType: LabelValueTypeName;
  description: string;
  required: boolean;
  /** Why a value is refused, or undefined when it is fine. */
  check: (value: string) => string | undefined;
}

export interface ChannelType {
  type: string;
  displayName: string;
  description: string;
  labels: readonly ChannelLabel[];
  /** What a new channel of this type reports (neither type needs a verification code). */
  verificationStatus: VerificationStatusName;
}

const TOPIC = /^projects\/[^/]+\/topics\/[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CHANNEL_TYPES: readonly ChannelType[] = [
  {
    type: 'email',
    displayName: 'Email',
    description: 'A channel that sends notifications via email.',
    labels: [
      {
        key: 'email_address',
        valueType: 'STRING',
        description: 'An address to send email.',
        required: true,
        check: (v) => (EMAIL.test(v) ? undefined : 'must be an email address'),
      },
    ],
    verificationStatus: 'VERIFIED',
  },
  {
    type: 'pubsub',
    displayName: 'Cloud Pub/Sub',
    description: 'A channel that publishes notifications to a Cloud Pub/Sub topic.',
    labels: [
      {
        key: 'topic',
        valueType: 'STRING',
        description: 'The Cloud Pub/Sub topic to publish notifications to, in the form projects/{project}/topics/{topic}.',
        required: true,
        check: (v) => (TOPIC.test(v) ? undefined : 'must be a topic name in the form projects/{project}/topics/{topic}'),
      },
    ],
    verificationStatus: 'VERIFIED',
  },
];

export function listChannelTypes(): readonly ChannelType[] {
  return CHANNEL_TYPES;
}

export function findChannelType(type: string): ChannelType | undefined {
  return CHANNEL_TYPES.find((t) => t.type === type);
}
