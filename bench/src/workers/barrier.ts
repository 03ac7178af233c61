/** Prints `ready`, then waits for the parent's `go` line on stdin (see ../processes.ts). */
export async function waitForGo(): Promise<void> {
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => {
    process.stdin.once("data", () => resolve());
    process.stdin.once("end", () => resolve());
  });
}

/** Wall-clock milliseconds, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Prints the worker's one-line JSON report. */
export function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
