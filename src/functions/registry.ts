/**
 * One source for every function's trigger: each file in src/functions registers through these helpers,
 * which call the real `app.*` of @azure/functions (what the Functions host runs) and keep a description
 * that the local host (dev/local-host) reads to run the very same definitions against Azurite.
 */
import {
  app,
  HttpHandler,
  HttpMethod,
  output,
  StorageQueueHandler,
  StorageQueueOutput,
  TimerHandler,
} from '@azure/functions';

/** The export job queue; its poison queue is `export-jobs-poison`. */
export const JOBS_QUEUE_NAME = 'export-jobs';
/** Where the host moves a job message after maxDequeueCount failed deliveries. */
export const JOBS_POISON_QUEUE_NAME = `${JOBS_QUEUE_NAME}-poison`;
/** App-setting prefix the queue bindings connect with (the host storage account). */
export const STORAGE_CONNECTION = 'AzureWebJobsStorage';

/** The queue output binding every function that enqueues export jobs uses. */
export const jobsQueueOutput: StorageQueueOutput = output.storageQueue({
  queueName: JOBS_QUEUE_NAME,
  connection: STORAGE_CONNECTION,
});

export interface TimerFunctionSpec {
  kind: 'timer';
  name: string;
  /** Six-field NCRONTAB. */
  schedule: string;
  runOnStartup: boolean;
  extraOutputs: StorageQueueOutput[];
  handler: TimerHandler;
}

export interface QueueFunctionSpec {
  kind: 'queue';
  name: string;
  queueName: string;
  connection: string;
  extraOutputs: StorageQueueOutput[];
  handler: StorageQueueHandler;
}

export interface HttpFunctionSpec {
  kind: 'http';
  name: string;
  methods: HttpMethod[];
  /** Route below the `api/` prefix, with `{param}` segments. */
  route: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  extraOutputs?: StorageQueueOutput[];
  handler: HttpHandler;
}

export type FunctionSpec = TimerFunctionSpec | QueueFunctionSpec | HttpFunctionSpec;

const registered: FunctionSpec[] = [];

export function registerTimer(spec: Omit<TimerFunctionSpec, 'kind'>): TimerFunctionSpec {
  const full: TimerFunctionSpec = { kind: 'timer', ...spec };
  registered.push(full);
  app.timer(spec.name, {
    schedule: spec.schedule,
    runOnStartup: spec.runOnStartup,
    extraOutputs: spec.extraOutputs,
    handler: spec.handler,
  });
  return full;
}

export function registerQueue(spec: Omit<QueueFunctionSpec, 'kind'>): QueueFunctionSpec {
  const full: QueueFunctionSpec = { kind: 'queue', ...spec };
  registered.push(full);
  app.storageQueue(spec.name, {
    queueName: spec.queueName,
    connection: spec.connection,
    extraOutputs: spec.extraOutputs,
    handler: spec.handler,
  });
  return full;
}

export function registerHttp(spec: Omit<HttpFunctionSpec, 'kind'>): HttpFunctionSpec {
  const full: HttpFunctionSpec = { kind: 'http', ...spec };
  registered.push(full);
  app.http(spec.name, {
    methods: spec.methods,
    route: spec.route,
    authLevel: spec.authLevel,
    extraOutputs: spec.extraOutputs ?? [],
    handler: spec.handler,
  });
  return full;
}

/** Every function registered so far (import src/functions/index to register all of them). */
export function registeredFunctions(): readonly FunctionSpec[] {
  return registered;
}
