/** The export files of the function app: block blobs in the exports container (see StagedBlobFile). */
import type { ContainerClient } from '@azure/storage-blob';
import type { ExportFileStore } from './fileStore';
import { StagedBlobFile } from './stagedBlobFile';
import type { StagedFile, StagedFileState } from './stagedFile';

export class BlobFileStore implements ExportFileStore {
  constructor(readonly container: ContainerClient) {}

  openFile(state: StagedFileState, epoch: number): StagedFile {
    return new StagedBlobFile(this.container, state, epoch);
  }

  async writeJson(name: string, body: Buffer): Promise<void> {
    await this.container.getBlockBlobClient(name).upload(body, body.length, {
      blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
    });
  }

  read(name: string): Promise<Buffer> {
    return this.container.getBlobClient(name).downloadToBuffer();
  }

  async readIfExists(name: string): Promise<Buffer | undefined> {
    try {
      return await this.read(name);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }
}
