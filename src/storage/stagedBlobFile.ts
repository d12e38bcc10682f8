/**
 * A staged output file kept as a block blob (see StagedFile for the resumable bookkeeping). Nothing is visible
 * until `commit`, which commits exactly the checkpointed block ids; blocks of a stale worker (another lease
 * epoch) or staged after the last checkpoint stay uncommitted and expire.
 *
 * Store a gzip file with contentType `application/gzip` and no Content-Encoding: a download is then the .gz file
 * byte for byte, and its sha256sum equals the SHA-256 recorded here. The caller chooses the content type.
 */
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { StagedFile, type BlockSink, type CommitHeaders, type StagedBlock, type StagedFileState } from './stagedFile';

export { committedBlockIds, MAX_BLOCKS_PER_BLOB, newStagedFileState } from './stagedFile';
export type { CommitHeaders, StagedFileState } from './stagedFile';

/** Blob metadata holding the SHA-256 (hex) of the committed bytes. */
export const SHA256_METADATA = 'sha256';

/** Put Block for each block, Put Block List at the end. */
export class BlobBlockSink implements BlockSink {
  constructor(
    private readonly container: ContainerClient,
    private readonly blobName: string,
  ) {}

  async write(block: StagedBlock): Promise<void> {
    const md5 = createHash('md5').update(block.payload).digest();
    await this.container.getBlockBlobClient(this.blobName).stageBlock(block.id, block.payload, block.payload.length, { transactionalContentMD5: md5 });
  }

  /**
   * When the blob already holds exactly these bytes (its length, and the SHA-256 an earlier commit recorded in its
   * metadata), nothing is written: a retry after a crash between the commit and the job's update works under a WORM
   * policy, which refuses any rewrite.
   */
  async commit(blockIds: string[], bytes: number, sha256: string, headers: CommitHeaders): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.blobName);
    if (await this.holds(bytes, sha256)) return;
    // Put Block List looks up each id among uncommitted blocks first, then committed ones ("latest"), so
    // re-running a commit that already succeeded yields the same blob.
    await blob.commitBlockList(blockIds, {
      blobHTTPHeaders: { blobContentType: headers.contentType, blobContentDisposition: headers.contentDisposition },
      metadata: { ...headers.metadata, [SHA256_METADATA]: sha256 },
    });
    const properties = await blob.getProperties();
    if (properties.contentLength !== bytes) {
      throw new Error(`Committed ${this.blobName} has ${properties.contentLength} bytes, expected ${bytes}`);
    }
  }

  private async holds(bytes: number, sha256: string): Promise<boolean> {
    try {
      const properties = await this.container.getBlockBlobClient(this.blobName).getProperties();
      return properties.contentLength === bytes && properties.metadata?.[SHA256_METADATA] === sha256;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }
}

export class StagedBlobFile extends StagedFile {
  constructor(container: ContainerClient, initial: StagedFileState, epoch: number) {
    super(new BlobBlockSink(container, initial.blobName), initial, epoch);
  }
}
