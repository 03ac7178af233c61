/** Tells the parent this process is loaded, then waits for its go-ahead on stdin. */
export async function waitForGo(): Promise<void> {
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => {
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", () => resolve());
    process.stdin.on("end", () => resolve());
  });
}
