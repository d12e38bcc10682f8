/**
 * Cutting time into export windows: aligned, half-open UTC intervals [start, end) of a stream's window size,
 * from the stream's watermark up to `now − lag`.
 */
import { TICKS_PER_MINUTE, Ticks } from '../time/instant';

export interface ExportWindow {
  start: Ticks;
  end: Ticks;
}

/** Rounds down to a multiple of the window size since the epoch (window sizes divide a day, so windows align to UTC days). */
export function alignDown(ticks: Ticks, windowMinutes: number): Ticks {
  const size = BigInt(windowMinutes) * TICKS_PER_MINUTE;
  const rem = ticks % size;
  return rem >= 0n ? ticks - rem : ticks - rem - size;
}

export interface PlanWindowsInput {
  watermark: Ticks;
  now: Ticks;
  lagMinutes: number;
  windowMinutes: number;
  maxWindows: number;
}

/** Whole windows that ended at least `lag` ago, oldest first, at most `maxWindows`. */
export function planWindows(input: PlanWindowsInput): ExportWindow[] {
  const size = BigInt(input.windowMinutes) * TICKS_PER_MINUTE;
  const settled = input.now - BigInt(input.lagMinutes) * TICKS_PER_MINUTE;
  const windows: ExportWindow[] = [];
  let start = alignDown(input.watermark, input.windowMinutes);
  while (windows.length < input.maxWindows && start + size <= settled) {
    windows.push({ start, end: start + size });
    start += size;
  }
  return windows;
}
