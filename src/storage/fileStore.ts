/**
 * Where a session's files go: Blob storage for the function app (storage/blobFileStore.ts), a local folder for the
 * command-line export (storage/localFileStore.ts). Both keep the same staged, resumable files (StagedFile), the same
 * names and the same manifest, so an export is the same bytes wherever it is written.
 */
import type { StagedFile, StagedFileState } from './stagedFile';

export interface ExportFileStore {
  /** The file at its checkpointed state; blocks are written under this lease epoch. */
  openFile(state: StagedFileState, epoch: number): StagedFile;
  /** Writes a small JSON document (the manifest) whole, replacing any earlier one. */
  writeJson(name: string, body: Buffer): Promise<void>;
  /** Reads a finished file back. */
  read(name: string): Promise<Buffer>;
  /** Reads a file back, or undefined when there is none. */
  readIfExists(name: string): Promise<Buffer | undefined>;
}
