// SuggestTrials: a long-running operation answering SuggestTrialsResponse. As in Vizier, a client
// (client_id) gets first its own trials that are still ACTIVE, then trials callers created that no
// client has yet (REQUESTED), then new ones from the study's algorithm. One suggestion runs at a
// time per study, so concurrent clients never get the same trial. At most MAX_SUGGESTION_COUNT
// suggestions per request (a local limit: Vertex documents none; the engine's batch is quadratic).
import { invalidArgument } from '../api/errors.js';
import { nowTimestamp } from '../api/ids.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { Operation, Operations } from '../operations/operations.js';
import { V1 } from '../operations/operations.js';
import type { Designer } from './designer.js';
import type { VizierStudies } from './studies.js';
import { searchSpaceExhausted, suggestAssignments } from './suggest.js';
import type { StoredTrial, VizierTrials } from './trials.js';

export const MAX_SUGGESTION_COUNT = 1000;

export class VizierSuggestions {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly studies: VizierStudies,
    private readonly trials: VizierTrials,
    private readonly operations: Operations,
    private readonly designer: Designer,
  ) {}

  async suggest(study: string, body: unknown): Promise<Operation> {
    const request = isPlainObject(body) ? body : {};
    assertValidWireRequest('SuggestTrialsRequest', { ...request, parent: study });
    const given = canonical('SuggestTrialsRequest', request);
    const count = Number(given.suggestionCount ?? 0);
    if (!(count >= 1)) throw invalidArgument('suggestion_count must be positive.', 'suggestion_count');
    if (count > MAX_SUGGESTION_COUNT) throw invalidArgument(`suggestion_count ${count} is more than the ${MAX_SUGGESTION_COUNT} one request may ask for.`, 'suggestion_count');
    const clientId = text(given.clientId);
    this.studies.spec(study); // NOT_FOUND before any operation exists
    return this.operations.start({
      under: study,
      metadataType: 'SuggestTrialsMetadata',
      metadata: { clientId },
      run: async () => {
        const startTime = nowTimestamp();
        const trials = await this.serialized(study, () => this.pick(study, clientId, count));
        return {
          responseType: `${V1}.SuggestTrialsResponse`,
          response: { trials, studyState: this.studies.state(study), startTime, endTime: nowTimestamp() },
        };
      },
    });
  }

  private async pick(study: string, clientId: string, count: number): Promise<StoredTrial[]> {
    const all = this.trials.of(study);
    const own = all.filter((t) => t.clientId === clientId && t.state === 'ACTIVE').slice(0, count);
    for (const requested of all.filter((t) => t.state === 'REQUESTED')) {
      if (own.length >= count) break;
      // Stopped or deleted since `all` was read (the awaits below let other requests in): skipped.
      const assigned = await this.trials.assign(requested.name, clientId);
      if (assigned) own.push(assigned);
    }
    const wanted = count - own.length;
    if (wanted === 0 || this.studies.state(study) !== 'ACTIVE') return own;
    const spec = this.studies.spec(study);
    const assignments = await suggestAssignments({
      designer: this.designer,
      study: spec,
      seedKey: study,
      history: this.trials.history(study),
      created: this.studies.trialsCreated(study),
      count: wanted,
    });
    const created: StoredTrial[] = [];
    for (const assignment of assignments) created.push(await this.trials.addSuggested(study, assignment, clientId));
    // Only a grid runs out: the study is then COMPLETED.
    if (searchSpaceExhausted(spec, this.trials.history(study))) await this.studies.setState(study, 'COMPLETED');
    return [...own, ...created];
  }

  private serialized<T>(study: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(study) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.queues.set(study, tail);
    void tail.then(() => {
      if (this.queues.get(study) === tail) this.queues.delete(study);
    });
    return next;
  }
}
