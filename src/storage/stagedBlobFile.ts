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

  async commit(blockIds: string[], bytes: number, headers: CommitHeaders): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.blobName);
    // Put Block List looks up each id among uncommitted blocks first, then committed ones ("latest"), so
    // re-running a commit that already succeeded yields the same blob.
    await blob.commitBlockList(blockIds, {
      blobHTTPHeaders: { blobContentType: headers.contentType, blobContentDisposition: headers.contentDisposition },
      metadata: headers.metadata,
    });
    const properties = await blob.getProperties();
    if (properties.contentLength !== bytes) {
      throw new Error(`Committed ${this.blobName} has ${properties.contentLength} bytes, expected ${bytes}`);
    }
  }
}

export class StagedBlobFile extends StagedFile {
  constructor(container: ContainerClient, initial: StagedFileState, epoch: number) {
    super(new BlobBlockSink(container, initial.blobName), initial, epoch);
  }
}
