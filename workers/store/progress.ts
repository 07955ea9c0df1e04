/** Turns "bytes stored so far" into what the user sees: phase, rate and time left, a few times a second. */
import type { ImportProgress } from './types';

const REPORT_EVERY_MS = 150;
const RATE_WINDOW_MS = 5000;

export class ProgressMeter {
  note: string | undefined;
  private current: ImportProgress['phase'] = 'reading header';
  private done: number;
  private lastReport = 0;
  private readonly samples: [time: number, bytes: number][] = [];

  constructor(
    readonly listener: (p: ImportProgress) => void,
    private readonly fixed: {
      modelId: string;
      name: string;
      bytesTotal: number;
      bytesResumed: number;
      canResume: boolean;
    },
  ) {
    this.done = fixed.bytesResumed;
  }

  phase(p: ImportProgress['phase']): void {
    this.current = p;
    this.report(true);
  }

  add(bytes: number): void {
    this.done += bytes;
    this.report(false);
  }

  private report(force: boolean): void {
    const now = performance.now();
    this.samples.push([now, this.done]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > RATE_WINDOW_MS) this.samples.shift();
    if (!force && now - this.lastReport < REPORT_EVERY_MS && this.done < this.fixed.bytesTotal) return;
    this.lastReport = now;
    const [t0, b0] = this.samples[0]!;
    const rate = now > t0 ? ((this.done - b0) * 1000) / (now - t0) : 0;
    const left = this.fixed.bytesTotal - this.done;
    this.listener({
      ...this.fixed,
      phase: this.current,
      bytesDone: this.done,
      bytesPerSecond: rate,
      etaSeconds: rate > 0 ? left / rate : null,
      ...(this.note ? { note: this.note } : {}),
    });
  }
}
