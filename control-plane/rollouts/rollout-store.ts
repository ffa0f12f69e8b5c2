// Rollout documents and the per-model lock, over the state bucket's compare-and-swap store.
// `update` is the one way to change a rollout: read, compute, write over the generation read,
// and start again from a fresh read when another writer got there first.
import { ControlPlaneError, RetryLater } from '../errors.js';
import type { JsonObjectStore, Versioned } from '../state/json-object-store.js';
import { ActiveRollout, activeRolloutPath, isFinished, RolloutRecord, rolloutPath } from './rollout-record.js';

const MAX_ATTEMPTS = 8;
/** `rolloutIdFor`'s shape: a model name (model-spec.ts) and a version id. */
const ROLLOUT_ID = /^[a-z][a-z0-9-]{0,62}-v[1-9][0-9]{0,9}$/;

export class Rollouts {
  constructor(private readonly store: JsonObjectStore) {}

  read(id: string): Promise<Versioned<RolloutRecord> | undefined> {
    return this.store.read(rolloutPath(id), RolloutRecord);
  }

  async require(id: string): Promise<Versioned<RolloutRecord>> {
    // Anything else (a NUL, a slash) is no rollout, and must not become an object name.
    if (!ROLLOUT_ID.test(id)) throw new ControlPlaneError('NOT_FOUND', `rollout ${JSON.stringify(id.slice(0, 100))} not found: rollout ids are {model}-v{version id}, e.g. flight-delay-v3`);
    const found = await this.read(id);
    if (!found) throw new ControlPlaneError('NOT_FOUND', `rollout ${JSON.stringify(id)} not found`);
    return found;
  }

  /** Creates the document; false when it exists already. */
  async create(record: RolloutRecord): Promise<boolean> {
    return (await this.store.create(rolloutPath(record.id), record)) !== undefined;
  }

  /** Writes `next` over `generation`; the new generation, or undefined when another writer won. */
  replace(next: RolloutRecord, generation: string): Promise<string | undefined> {
    return this.store.replace(rolloutPath(next.id), next, generation);
  }

  /**
   * Applies `change` to the latest document until a write lands. `change` returns the next record,
   * or undefined to leave it as is (then nothing is written).
   */
  async update(id: string, change: (current: RolloutRecord) => RolloutRecord | undefined): Promise<RolloutRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { value, generation } = await this.require(id);
      const next = change(value);
      if (next === undefined) return value;
      if ((await this.replace(next, generation)) !== undefined) return next;
    }
    throw new RetryLater(`rollout ${id} changed under ${MAX_ATTEMPTS} attempts in a row`);
  }

  /** Every rollout's id, newest documents last (object names sort by id, not time). */
  async ids(): Promise<string[]> {
    const paths = await this.store.list('rollouts/');
    return paths.filter((p) => p.endsWith('.json')).map((p) => p.slice('rollouts/'.length, -'.json'.length));
  }

  /** The rollouts holding a model's lock now. */
  async activeIds(): Promise<{ model: string; rolloutId: string; since: string }[]> {
    const paths = (await this.store.list('rollouts-active/')).filter((p) => p.endsWith('.json'));
    const held = await Promise.all(paths.map(async (p) => ({ model: p.slice('rollouts-active/'.length, -'.json'.length), lock: await this.store.read(p, ActiveRollout) })));
    return held.flatMap((h) => (h.lock?.value.rolloutId ? [{ model: h.model, rolloutId: h.lock.value.rolloutId, since: h.lock.value.updateTime }] : []));
  }

  async activeFor(model: string): Promise<Versioned<ActiveRollout> | undefined> {
    return this.store.read(activeRolloutPath(model), ActiveRollout);
  }

  /**
   * Makes `rolloutId` the model's active rollout. True when it holds the lock now (also when it
   * already did); false when another unfinished rollout holds it (a holder never written counts as finished).
   */
  async acquire(model: string, rolloutId: string, now: Date): Promise<{ acquired: true } | { acquired: false; holder: string }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.activeFor(model);
      const holder = current?.value.rolloutId ?? null;
      // Re-taken by its holder too: the write moves the generation, so a racing taker's write fails.
      if (holder !== null && holder !== rolloutId && !(await this.finished(holder))) return { acquired: false, holder };
      const value: ActiveRollout = { rolloutId, updateTime: now.toISOString() };
      const written = current ? await this.store.replace(activeRolloutPath(model), value, current.generation) : await this.store.create(activeRolloutPath(model), value);
      if (written !== undefined) return { acquired: true };
    }
    throw new RetryLater(`the active rollout of ${model} changed under ${MAX_ATTEMPTS} attempts in a row`);
  }

  private async finished(id: string): Promise<boolean> {
    const held = await this.read(id);
    return !held || isFinished(held.value);
  }

  /** Frees the model's lock if `rolloutId` holds it. */
  async release(model: string, rolloutId: string, now: Date): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.activeFor(model);
      if (!current || current.value.rolloutId !== rolloutId) return;
      if ((await this.store.replace(activeRolloutPath(model), { rolloutId: null, updateTime: now.toISOString() }, current.generation)) !== undefined) return;
    }
  }
}
