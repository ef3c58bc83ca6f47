import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export type Cell = string | number;

export interface Column<Row> {
  label: string;
  value(row: Row): Cell;
}

/** An aligned text table: numbers right-aligned, text left-aligned. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.label.length, ...cells.map((row) => String(row[i]).length)));
  const line = (values: readonly Cell[]) =>
    values.map((v, i) => (typeof v === 'number' ? String(v).padStart(widths[i]!) : String(v).padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.label)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...samples] };
}

/** Rounds for printing and for the JSON (timings to the millisecond are noise anyway). */
export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/**
 * Writes `bench/results/<name>.json`: the results with the date and the machine they were
 * measured on, through a temporary file so a crash never leaves half a result behind.
 */
export async function writeResults(name: string, results: Record<string, unknown>): Promise<string> {
  const cpus = os.cpus();
  const doc = {
    name,
    date: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${os.release()} ${process.arch}` },
    ...results,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(doc, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}

/** `--name <integer>` from a benchmark's arguments, or the default. */
export function intOption(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
}
