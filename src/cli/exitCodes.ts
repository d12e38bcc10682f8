/**
 * The exit codes of `entra-export` (docs/cli.md). A script can tell "run it again to finish" (4, 130, 143) from
 * "fix something first" (2, 3, 5, 6).
 */
import type { ClassifiedGraphError } from '../graph/errors';

export const EXIT = {
  /** Every stream exported (some may have had no records). */
  ok: 0,
  /** An unexpected error; the message and the checkpoint say where it stopped. */
  internal: 1,
  /** Bad arguments or settings: nothing was read. */
  usage: 2,
  /** Sign-in failed, or the identity lacks a permission or licence Graph requires. */
  auth: 3,
  /** Graph failed for some stream after every retry; run the same command again to resume. */
  graph: 4,
  /** The folder is being written by another run, or holds another export. */
  folder: 5,
  /** The range starts before what Entra still keeps. */
  retention: 6,
  /** Stopped by Ctrl+C (SIGINT); run the same command again to resume. */
  interrupted: 130,
  /** Stopped by SIGTERM; run the same command again to resume. */
  terminated: 143,
} as const;

const AUTH_CODES = new Set(['PermissionMissing', 'TenantNotLicensed']);

export interface StreamFailure {
  error: ClassifiedGraphError;
  /** No token could be had (the sign-in expired or was revoked during the run). */
  signIn: boolean;
}

/** The exit code for the streams that failed: the one asking for the most specific action first. */
export function exitCodeForFailures(failures: readonly StreamFailure[]): number {
  if (failures.length === 0) return EXIT.ok;
  if (failures.some((f) => f.signIn || AUTH_CODES.has(f.error.code))) return EXIT.auth;
  if (failures.some((f) => f.error.code === 'OutsideRetention')) return EXIT.retention;
  return EXIT.graph;
}
