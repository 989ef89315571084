/** One measured figure, reported next to a baseline measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run on the same machine. */
  baseline?: { name: string; value: number };
  /** Free text: target, conditions, pass/fail against the target. */
  note?: string;
}

export interface Bench {
  /** Section title in docs/benchmarks.md. */
  title: string;
  run(): Promise<BenchFigure[]>;
}
