/**
 * A command-line export: one job per stream over the whole range [from, to), run by the product's ExportSession
 * into a local folder instead of Blob storage. The folder's checkpoint plays the part of the jobs table (a job's
 * Graph cursor, the ids written at it, every file's length and hash state), so a run stopped at any point (Ctrl+C,
 * a dropped connection, a killed process) resumes exactly where its last checkpoint left it, with nothing written
 * twice. All streams run at once and share the process's Graph budget (5 requests per 10 s).
 */
import type { AppConfig } from '../config';
import { classifyGraphError, GraphRequestError } from '../graph/errors';
import type { StreamFailure } from './exitCodes';
import type { GraphClient } from '../graph/graphClient';
import type { ExportFileStore } from '../storage/fileStore';
import type { FaultPoint } from '../export/exportSession';
import { ExportSession } from '../export/exportSession';
import { claim, complete, fail, isTerminal, requeue, saveCheckpoint, yieldForContinuation, type ExportJob, type JobError } from '../export/job';
import { cliJobId } from '../export/jobIds';
import { newAdhocJob } from '../export/adhocJobs';
import { FilterError, parseExportFilters, type ExportFilters } from '../export/filters';
import type { Logger } from '../export/logger';
import { STREAMS, type StreamId } from '../streams/catalog';
import { formatInstant, instantFromDate, parseInstant, type Ticks } from '../time/instant';
import type { ExportRequest } from './args';
import { FolderInUseError, identityMismatch, type ExportFolder, type ExportIdentity, type FolderCheckpoint } from './exportFolder';
import type { ProgressReporter } from './progress';
import { EXPORTER_VERSION } from '../export/manifest';

export interface LocalExportDeps {
  config: AppConfig;
  graph: GraphClient;
  folder: ExportFolder;
  files: ExportFileStore;
  progress: ProgressReporter;
  log: Logger;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Tests: stop like a killed process at a session's fault point. */
  faultPoint?: (stream: StreamId, point: FaultPoint) => void;
}

export interface LocalExportResult {
  jobs: ExportJob[];
  /** Per failed stream, what Graph said and what to do. */
  failures: Array<StreamFailure & { stream: StreamId }>;
}

/** Attempts per stream for a failure worth retrying (Graph unavailable or throttled after the client's own retries). */
export const STREAM_ATTEMPTS = 4;
const RETRY_DELAYS_MS = [15_000, 60_000, 120_000];

export function exportIdentity(request: ExportRequest, config: AppConfig): ExportIdentity {
  return {
    streams: [...request.streams],
    from: formatInstant(request.from, 7),
    to: formatInstant(request.to, 7),
    formats: [...request.formats],
    filter: request.filters.length > 0 ? request.filters.map((f) => `${f.key}=${f.value}`).join(' ') : null,
    graphBaseUrl: config.graph.baseUrl,
  };
}

/** An on-demand export's job, kept in the folder instead of Tables: its own id, and files at the folder's top. */
function newJob(stream: StreamId, request: ExportRequest, filters: ExportFilters, now: Date): ExportJob {
  const job = newAdhocJob({ stream, from: request.from, to: request.to, filters, formats: request.formats }, now, 'cli');
  return { ...job, jobId: cliJobId(stream, request.from, request.to), kind: 'cli' };
}

/** The command line's `--filter key=value` pairs as the on-demand export's filters, checked for one stream. */
export function streamFilters(stream: StreamId, request: ExportRequest): ExportFilters {
  const raw: Record<string, string> = {};
  for (const { key, value } of request.filters) {
    if (key in raw) throw new FilterError(key, `is given twice; give each filter once`);
    raw[key] = value;
  }
  return parseExportFilters(stream, raw);
}

/** Serialises checkpoint writes of streams running at once; each write holds every stream's latest job. */
class CheckpointWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly folder: ExportFolder,
    private readonly snapshot: () => FolderCheckpoint,
  ) {}

  save(): Promise<void> {
    const next = this.chain.then(() => this.folder.saveCheckpoint(this.snapshot()));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when no write is in flight. */
  idle(): Promise<void> {
    return this.chain;
  }
}

export class LocalExport {
  private readonly jobs = new Map<StreamId, ExportJob>();
  private writer?: CheckpointWriter;
  private tenantId?: string;
  private identity?: ExportIdentity;

  constructor(
    private readonly request: ExportRequest,
    private readonly deps: LocalExportDeps,
  ) {}

  /**
   * Opens the folder: takes its lock, and resumes its checkpoint when it holds this very export (refuses one that
   * holds another). Jobs a previous run left failed are queued again from their checkpoint.
   */
  async open(tenantId: string | undefined): Promise<{ resumed: boolean }> {
    const { folder, now, log } = this.deps;
    this.identity = exportIdentity(this.request, this.deps.config);
    const { tookOverFrom } = await folder.lock(now());
    if (tookOverFrom) log.warn(`A previous run (process ${tookOverFrom.pid}, started ${tookOverFrom.since}) ended without releasing the folder; resuming from its last checkpoint.`);
    const saved = await folder.readCheckpoint();
    if (saved) {
      const mismatch = identityMismatch(saved.request, this.identity);
      if (mismatch) {
        throw new FolderInUseError(`${folder.root} holds another export (${mismatch}). Resume it with the same arguments, or use another folder.`);
      }
      if (tenantId && saved.tenantId && saved.tenantId !== tenantId) {
        throw new FolderInUseError(`${folder.root} holds an export of tenant ${saved.tenantId}, but this run signed in to tenant ${tenantId}. Sign in to the same tenant, or use another folder.`);
      }
      for (const job of saved.jobs) this.jobs.set(job.stream, job.status === 'succeeded' || job.status === 'empty' ? job : requeue(job, now()));
    }
    this.tenantId = tenantId ?? saved?.tenantId;
    for (const stream of this.request.streams) if (!this.jobs.has(stream)) this.jobs.set(stream, newJob(stream, this.request, streamFilters(stream, this.request), now()));
    this.writer = new CheckpointWriter(folder, () => ({
      schemaVersion: 1,
      exporter: EXPORTER_VERSION,
      request: this.identity!,
      tenantId: this.tenantId,
      jobs: [...this.jobs.values()],
    }));
    await this.writer.save();
    for (const job of this.jobs.values()) {
      if (job.status === 'succeeded' || job.status === 'empty') this.deps.progress.streamResumed(job.stream, job.status === 'empty' ? 'empty' : 'done', undefined, job.result?.counts.records ?? 0);
      else if (job.checkpoint) this.deps.progress.streamResumed(job.stream, 'waiting', job.checkpoint.cursor ? parseInstant(job.checkpoint.cursor) : undefined, job.checkpoint.counts.records);
    }
    return { resumed: saved !== undefined };
  }

  /** Exports every stream that is not finished yet; resolves when each has succeeded or failed for good. */
  async run(): Promise<LocalExportResult> {
    const failures: LocalExportResult['failures'] = [];
    const pending = [...this.jobs.values()].filter((job) => !isTerminal(job.status));
    // Every stream runs to its end even when another breaks; an unexpected error is rethrown once all have stopped.
    const settled = await Promise.allSettled(pending.map((job) => this.runStream(job.stream)));
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled' && outcome.value) failures.push({ stream: pending[i].stream, ...outcome.value });
    });
    const broken = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (broken) throw broken.reason;
    return { jobs: this.request.streams.map((s) => this.jobs.get(s)!), failures };
  }

  /** Resolves once the checkpoint write in flight (if any) is on disk: the point where stopping loses nothing. */
  async settled(): Promise<void> {
    await this.writer?.idle();
  }

  async close(): Promise<void> {
    await this.settled();
    await this.deps.folder.unlock();
  }

  private async runStream(stream: StreamId): Promise<StreamFailure | undefined> {
    const { config, now, progress } = this.deps;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    progress.streamStarted(stream);
    let attempt = 0;
    for (;;) {
      let job = claim(this.jobs.get(stream)!, `cli-${process.pid}`, now(), config.worker.leaseSeconds);
      this.jobs.set(stream, job);
      const session = new ExportSession(job, {
        config,
        graph: this.deps.graph,
        files: this.deps.files,
        now,
        log: this.deps.log,
        saveCheckpoint: async (checkpoint) => {
          job = saveCheckpoint(job, checkpoint, now(), config.worker.leaseSeconds);
          this.jobs.set(stream, job);
          await this.writer!.save();
          progress.streamCheckpoint(stream, checkpoint.cursor ? parseInstant(checkpoint.cursor) : undefined, checkpoint.counts.records);
        },
        renewLease: async () => undefined,
        faultPoint: this.deps.faultPoint ? (point) => this.deps.faultPoint!(stream, point) : undefined,
      });
      try {
        const outcome = await session.run();
        if (outcome.kind === 'yield') {
          // The time budget of one invocation means nothing here: continue at once from the checkpoint.
          this.jobs.set(stream, yieldForContinuation(job, now()));
          continue;
        }
        if (outcome.kind === 'unchanged') throw new Error(`Job ${job.jobId} is not a re-check`);
        job = complete(job, outcome.result, now());
        this.jobs.set(stream, job);
        await this.writer!.save();
        progress.streamFinished(stream, job.status === 'empty' ? 'empty' : 'done', outcome.result.counts.records);
        return undefined;
      } catch (error) {
        if (!(error instanceof GraphRequestError)) throw error;
        const classified = classifyGraphError(error, {
          stream: STREAMS[stream],
          windowStart: parseInstant(job.windowStart),
          now: instantFromDate(now()),
          retentionDays: config.retentionDays,
        });
        attempt += 1;
        const limit = classified.code === 'TenantNotLicensed' ? config.worker.licenceRetryLimit : STREAM_ATTEMPTS;
        if (classified.retryable && attempt < limit) {
          const delay = RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)];
          this.deps.log.warn(`${stream}: ${classified.code}: ${classified.message} Trying again in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${limit}).`);
          this.jobs.set(stream, requeue(job, now()));
          await sleep(delay);
          continue;
        }
        const jobError: JobError = { code: classified.code, message: classified.message, at: now().toISOString() };
        job = fail(job, jobError, now());
        this.jobs.set(stream, job);
        await this.writer!.save();
        progress.streamFinished(stream, 'failed');
        return { error: classified, signIn: error.graphCode === 'CredentialUnavailable' || error.status === 401 };
      }
    }
  }

  get tenant(): string | undefined {
    return this.tenantId;
  }

  /** The range the export covers, for messages. */
  get range(): { from: Ticks; to: Ticks } {
    return { from: this.request.from, to: this.request.to };
  }
}
