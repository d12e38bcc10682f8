/**
 * Stalled workers: a worker freezes (a long GC pause, a frozen host) past its lease while a second delivery of its
 * message takes the job over, then wakes up and carries on as a zombie. Its next block stage or job-row write waits
 * until the new owner has claimed the job and written once more (so it has staged blocks of its own), or
 * STALL_WAIT_MS of real time. The zombie's blocks then land after the new owner's, and its job-row write is refused.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { ExportJob } from '../../src/export/job';
import type { JobRepository } from '../../src/storage/jobRepository';

const STALL_WAIT_MS = 2000;

export class Stalls {
  private readonly pending = new Map<string, { release: () => void; writesByOthers: number }>();
  started = 0;

  isPending(jobId: string): boolean {
    return this.pending.has(jobId);
  }

  /** A stall of the invocation working on `jobId`: the promise its next storage write waits for. */
  start(jobId: string): Promise<void> {
    this.started++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STALL_WAIT_MS);
      this.pending.set(jobId, {
        writesByOthers: 0,
        release: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Another invocation of the job wrote its row: the claim, then a checkpoint after staging. */
  otherWrote(jobId: string): void {
    const entry = this.pending.get(jobId);
    if (entry && ++entry.writesByOthers >= 2) this.release(jobId);
  }

  release(jobId: string): void {
    this.pending.get(jobId)?.release();
    this.pending.delete(jobId);
  }
}

/** One invocation's job repository and container: writes wait at `gate` (a no-op unless the invocation stalled). */
export function gatedStorage(
  jobs: JobRepository,
  container: ContainerClient,
  gate: () => Promise<boolean>,
  onWrite: () => void,
): { jobs: JobRepository; container: ContainerClient } {
  const gatedJobs = Object.create(jobs) as JobRepository;
  gatedJobs.update = async (job: ExportJob): Promise<ExportJob> => {
    const wasStalled = await gate();
    const saved = await jobs.update(job);
    if (!wasStalled) onWrite();
    return saved;
  };
  const gatedContainer = Object.create(container) as ContainerClient;
  gatedContainer.getBlockBlobClient = (name: string) => {
    const client = container.getBlockBlobClient(name);
    const stage = client.stageBlock.bind(client);
    client.stageBlock = async (...args: Parameters<typeof stage>) => {
      await gate();
      return stage(...args);
    };
    return client;
  };
  return { jobs: gatedJobs, container: gatedContainer };
}
