#!/usr/bin/env node
/**
 * The `entra-export` binary (package.json `bin`; `npm run export --` in a checkout). Exit codes: exitCodes.ts.
 * Ctrl+C and SIGTERM stop at once: whatever the last checkpoint holds stays, and the next run resumes from it.
 */
import { runCommand } from './command';
import { EXIT } from './exitCodes';

let interrupt: ((signal: 'SIGINT' | 'SIGTERM') => Promise<number>) | undefined;
let stopping = false;

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (stopping) process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated); // a second Ctrl+C: now
  stopping = true;
  if (!interrupt) process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
  void interrupt(signal).then((code) => process.exit(code), () => process.exit(EXIT.internal));
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

runCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  onInterrupt: (handler) => {
    interrupt = handler;
  },
}).then(
  (code) => {
    if (!stopping) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`entra-export: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT.internal);
  },
);
