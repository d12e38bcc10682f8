/**
 * The exporter's Graph client: fetches one page of a reporting list at a time, with authentication, the request
 * budget (budget/), retries and Retry-After, all as an @azure/core-rest-pipeline pipeline:
 *
 *   userAgent → client-request-id → decompress → retryPolicy(graphRetryStrategy) → bearer token → graphAttemptPolicy → HTTP
 *
 * Everything below the retry policy runs once per attempt: a fresh token check, a grant from the budget, the timeout.
 * Paging itself (following nextLink, checkpointing) belongs to the worker.
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  decompressResponsePolicy,
  isRestError,
  retryPolicy,
  setClientRequestIdPolicy,
  userAgentPolicy,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import packageJson from '../../package.json';
import type { AppConfig } from '../config';
import type { GraphRecord } from '../formats/types';
import { ATTEMPT_ERROR_CODES, graphAttemptPolicy, PageRequestStates, type PageRequestState } from './attemptPolicy';
import { createGraphCredential } from './credentials';
import { GLOBAL_GRAPH_CLOUD, graphCloudOf, graphScopeOf } from '../clouds/graphClouds';
import { GraphRequestError, parseGraphErrorBody, type ClientErrorCode } from './errors';
import type { GraphClientEvent } from './graphClientEvents';
import { createRequestBudget, type RequestBudget } from './budget';
import { graphRetryStrategy, parseRetryAfterMs } from './retryStrategy';
import { realSleep } from './sleep';

export type { GraphClientEvent } from './graphClientEvents';

export const GRAPH_USER_AGENT = `entra-log-exporter/${packageJson.version}`;

export interface GraphPage {
  /** Records exactly as Graph sent them, unknown properties included. */
  records: GraphRecord[];
  nextLink?: string;
  /** The URL this page was read from. */
  url: string;
  /** Requests sent for this page, retries included. */
  attempts: number;
  /** 429 responses among them. */
  throttled: number;
  /** Size of the (decompressed) JSON body in bytes. */
  bytes: number;
}

export interface GraphClientOptions {
  baseUrl: string;
  /** Token scope; default: the `.default` scope of the cloud `baseUrl` belongs to (global for any other host). */
  scope?: string;
  credential: TokenCredential;
  /** Where every attempt waits for its turn, and where a `Retry-After` pauses every caller. */
  budget: RequestBudget;
  requestTimeoutMs: number;
  maxRetries: number;
  /** Floor of the exponential back-off for 5xx, network errors and timeouts. Default 5 s. */
  retryDelayMs?: number;
  /** Ceiling of the exponential back-off. Default 60 s. */
  maxRetryDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Wall clock for `Retry-After` dates. */
  now?: () => number;
  onEvent?: (event: GraphClientEvent) => void;
  httpClient?: HttpClient;
}

export const DEFAULT_RETRY_DELAY_MS = 5_000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

export class GraphClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly states = new PageRequestStates();
  private readonly origin: string;
  /** Plain http is the local simulator's; core refuses it unless each request opts in. */
  private readonly allowInsecureConnection: boolean;
  private readonly now: () => number;
  private readonly emit: (event: GraphClientEvent) => void;

  constructor(private readonly options: GraphClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.allowInsecureConnection = base.protocol === 'http:';
    this.now = options.now ?? Date.now;
    this.emit = options.onEvent ?? (() => undefined);
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    const scope = options.scope ?? graphScopeOf(graphCloudOf(options.baseUrl) ?? GLOBAL_GRAPH_CLOUD);

    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: GRAPH_USER_AGENT }));
    pipeline.addPolicy(setClientRequestIdPolicy('client-request-id'));
    pipeline.addPolicy(decompressResponsePolicy());
    pipeline.addPolicy(
      retryPolicy(
        [
          graphRetryStrategy({
            states: this.states,
            budget: options.budget,
            now: this.now,
            emit: this.emit,
            retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
            maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
            random: options.random ?? Math.random,
          }),
        ],
        { maxRetries: options.maxRetries },
      ),
      { phase: 'Retry' },
    );
    pipeline.addPolicy(
      base.protocol === 'https:'
        ? bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: scope })
        : plainHttpBearerPolicy(options.credential, scope),
      { phase: 'Sign' },
    );
    pipeline.addPolicy(
      graphAttemptPolicy({
        states: this.states,
        budget: options.budget,
        sleep: options.sleep ?? realSleep,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
      { afterPhase: 'Sign' },
    );
    this.pipeline = pipeline;
  }

  /**
   * One page, with all retries. Resolves with the parsed page; rejects with a GraphRequestError when Graph refuses
   * (400/401/403/404 at once) or retries run out, or with the caller's AbortError when `signal` aborts.
   */
  async getPage(url: string, signal?: AbortSignal): Promise<GraphPage> {
    this.assertSameOrigin(url);
    const request = createPipelineRequest({
      url,
      method: 'GET',
      abortSignal: signal,
      timeout: this.options.requestTimeoutMs,
      allowInsecureConnection: this.allowInsecureConnection,
    });
    request.headers.set('Accept', 'application/json');
    // Graph replaces enum members added after `unknownFutureValue` with that sentinel unless asked for them. The
    // archive keeps what Graph knows (as the admin center shows it), so the exporter asks for the real values.
    request.headers.set('Prefer', 'include-unknown-enum-members');
    const state = this.states.start(request, signal);

    let response: PipelineResponse;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      throw this.toGraphRequestError(error, url, state, signal);
    }
    if (response.status < 200 || response.status >= 300 || !state.page) throw this.errorFromResponse(response, url, state);
    const { records, nextLink, bytes } = state.page;
    this.emit({ type: 'page', url, attempts: state.attempts, throttled: state.throttled, records: records.length, bytes, hasNextLink: nextLink !== undefined });
    return { records, nextLink, url, attempts: state.attempts, throttled: state.throttled, bytes };
  }

  /** nextLinks come from response bodies; the token must never follow one to another host. */
  private assertSameOrigin(url: string): void {
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.origin) {
      throw new GraphRequestError({
        status: 0,
        graphCode: ATTEMPT_ERROR_CODES.invalidResponse,
        graphMessage: `refusing to send the Graph token to ${origin ?? 'an invalid URL'}; only ${this.origin} is allowed`,
        url,
        attempts: 0,
      });
    }
  }

  private errorFromResponse(response: PipelineResponse, url: string, state: PageRequestState): GraphRequestError {
    const parsed = parseGraphErrorBody(response.bodyAsText);
    const snippet = response.bodyAsText?.replace(/\s+/g, ' ').trim().slice(0, 200);
    return new GraphRequestError({
      status: response.status,
      graphCode: parsed.code ?? `HTTP${response.status}`,
      graphMessage: parsed.message ?? (snippet || 'no error details in the response'),
      requestId: response.headers.get('request-id') ?? parsed.requestId,
      url,
      retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), this.now()),
      attempts: state.attempts,
    });
  }

  private toGraphRequestError(error: unknown, url: string, state: PageRequestState, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return error;
    const codes: readonly string[] = Object.values(ATTEMPT_ERROR_CODES);
    let graphCode: ClientErrorCode;
    if (isRestError(error) && error.code !== undefined && codes.includes(error.code)) {
      graphCode = error.code as ClientErrorCode;
    } else if (error instanceof Error && /Credential|Authentication/.test(error.name)) {
      graphCode = 'CredentialUnavailable';
    } else {
      return error;
    }
    return new GraphRequestError({ status: 0, graphCode, graphMessage: error.message, url, attempts: state.attempts });
  }
}

/**
 * The local simulator is served over plain http, where core's bearer policy refuses to send tokens. This policy sets
 * the same header; the client uses it only for an http base URL, which configuration allows only in simulator mode.
 */
function plainHttpBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: 'plainHttpBearerPolicy',
    async sendRequest(request, next) {
      const token = await credential.getToken(scope, { abortSignal: request.abortSignal });
      if (!token) throw new Error('The credential returned no token for Microsoft Graph');
      request.headers.set('Authorization', `Bearer ${token.token}`);
      return next(request);
    },
  };
}

export interface GraphClientOverrides extends Partial<GraphClientOptions> {
  /**
   * The shared budget's ledger table (config.graphBudgetTable): the function app passes it so that every instance
   * draws from one budget. Without it (the command-line export) the budget is this process's own.
   */
  ledgerTable?: TableClient;
}

/** The one way the product builds a Graph client: credential and request budget from configuration. */
export function createGraphClient(config: AppConfig['graph'], overrides: GraphClientOverrides = {}): GraphClient {
  const { ledgerTable, ...options } = overrides;
  return new GraphClient({
    baseUrl: config.baseUrl,
    scope: config.scope,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    maxRetries: config.maxRetries,
    ...options,
    credential: options.credential ?? createGraphCredential(config),
    budget: options.budget ?? createRequestBudget(config, { ledgerTable }),
  });
}
