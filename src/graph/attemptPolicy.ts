/**
 * The pipeline policy that runs once per attempt, below the retry policy and the authentication policy, i.e. right
 * before the HTTP client. It
 * 1. sleeps the back-off the retry strategy chose for this request, if any;
 * 2. waits for a grant from the request budget, so retries count against Graph's budget like first attempts (a
 *    budget that cannot be reached throws its own error, which no retry hides);
 * 3. applies the per-attempt timeout (its own timer, body included) and turns timeouts and socket failures into RestErrors the retry policy
 *    retries (the library rethrows anything that is not a RestError, and reports its own timeout as an abort);
 * 4. parses a successful body; a body that is not a complete page (a connection cut mid-response) becomes a
 *    retryable `InvalidResponse` error, so it shares the retry budget and back-off of every other transient failure.
 */
import { isRestError, RestError, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { GraphRecord } from '../formats/types';
import type { RequestBudget } from './budget/requestBudget';
import type { Sleep } from './sleep';

/** RestError codes the client gives transient failures; GraphRequestError.graphCode reuses them. */
export const ATTEMPT_ERROR_CODES = { timeout: 'Timeout', network: 'NetworkError', invalidResponse: 'InvalidResponse' } as const;

export interface ParsedPage {
  records: GraphRecord[];
  nextLink?: string;
  bytes: number;
}

/** Book-keeping for one getPage call, shared by the retry strategy and the attempt policy. */
export interface PageRequestState {
  /** The caller's signal (the pipeline only keeps an AbortSignalLike). */
  signal?: AbortSignal;
  attempts: number;
  throttled: number;
  /** Back-off the next attempt must sleep first, set by the retry strategy. */
  pendingDelayMs: number;
  page?: ParsedPage;
}

/** Request → state. A WeakMap because the retry policy re-sends the same request object on every attempt. */
export class PageRequestStates {
  private readonly states = new WeakMap<PipelineRequest, PageRequestState>();

  start(request: PipelineRequest, signal: AbortSignal | undefined): PageRequestState {
    const state: PageRequestState = { signal, attempts: 0, throttled: 0, pendingDelayMs: 0 };
    this.states.set(request, state);
    return state;
  }

  get(request: PipelineRequest): PageRequestState | undefined {
    return this.states.get(request);
  }
}

export interface AttemptPolicyOptions {
  states: PageRequestStates;
  budget: RequestBudget;
  sleep: Sleep;
  requestTimeoutMs: number;
}

export function graphAttemptPolicy(options: AttemptPolicyOptions): PipelinePolicy {
  const { states, budget, sleep, requestTimeoutMs } = options;
  return {
    name: 'graphAttemptPolicy',
    async sendRequest(request, next) {
      const state = states.get(request);
      if (!state) return next(request);
      if (state.pendingDelayMs > 0) {
        const delayMs = state.pendingDelayMs;
        state.pendingDelayMs = 0;
        await sleep(delayMs, state.signal);
      }
      await budget.acquire(state.signal);
      state.attempts += 1;
      state.page = undefined;
      // The attempt's own timer, cleared whatever happens (the HTTP client's `timeout` timer outlives a request that
      // fails, a reset connection or an abort, by its full length: it kept test processes alive for minutes). It also
      // covers reading the body, which the client's timer does not.
      const callerSignal = request.abortSignal;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), requestTimeoutMs);
      request.timeout = 0;
      request.abortSignal = state.signal ? AbortSignal.any([state.signal, timeout.signal]) : timeout.signal;
      let response;
      try {
        response = await next(request);
      } catch (error) {
        throw toAttemptError(error, request, state, requestTimeoutMs);
      } finally {
        clearTimeout(timer);
        request.abortSignal = callerSignal;
      }
      if (response.status === 429) state.throttled += 1;
      if (response.status >= 200 && response.status < 300) state.page = parsePage(response.bodyAsText, request);
      return response;
    },
  };
}

function toAttemptError(error: unknown, request: PipelineRequest, state: PageRequestState, requestTimeoutMs: number): unknown {
  if (state.signal?.aborted) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new RestError(`Graph did not answer within ${requestTimeoutMs} ms`, { code: ATTEMPT_ERROR_CODES.timeout, request });
  }
  if (isRestError(error) && error.statusCode !== undefined) return error;
  const systemCode = isRestError(error) || hasCode(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new RestError(systemCode ? `${systemCode}: ${message}` : message, { code: ATTEMPT_ERROR_CODES.network, request });
}

function hasCode(error: unknown): error is { code?: string } {
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** Graph's collection page: `{"value":[…], "@odata.nextLink"?: "…"}`; records are kept exactly as sent. */
function parsePage(bodyText: string | null | undefined, request: PipelineRequest): ParsedPage {
  const invalid = (why: string): RestError =>
    new RestError(`Graph returned an incomplete or invalid page (${why})`, { code: ATTEMPT_ERROR_CODES.invalidResponse, request });
  if (!bodyText) throw invalid('empty body');
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (error) {
    throw invalid(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object');
  const page = body as Record<string, unknown>;
  const value = page.value;
  if (!Array.isArray(value)) throw invalid('no "value" array');
  for (const record of value) {
    if (typeof record !== 'object' || record === null || typeof (record as Record<string, unknown>).id !== 'string') {
      throw invalid('a record without a string "id"');
    }
  }
  const nextLink = page['@odata.nextLink'];
  if (nextLink !== undefined && typeof nextLink !== 'string') throw invalid('"@odata.nextLink" is not a string');
  return { records: value as GraphRecord[], nextLink, bytes: Buffer.byteLength(bodyText, 'utf8') };
}
