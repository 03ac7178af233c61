import { mkdirSync } from "node:fs";
import { Config } from "@switchyard/contract";
import { claimTask, createTask, openBoard, resolveHome } from "@switchyard/core";
import { planLaunch, writeLaunchFiles } from "@switchyard/runtime";

const preset = process.argv[2] as "opencode";
const root = process.argv[3] as string;
mkdirSync(root, { recursive: true });
const home = resolveHome({ SWITCHYARD_HOME: root });
const k = await openBoard(home, "default");
const { task } = await createTask(k, { title: "probe", assignee: "w" });
const claimed = await claimTask(k, task.id, { ttl: 900 });
const cfg = Config.parse({ profiles: { w: { preset, model: undefined } } });
const launch = planLaunch(cfg.profiles.w!, { task: claimed!, profile: "w", runId: claimed!.current_run_id!, workspace: root, paths: k.paths, home, claimTtlSeconds: 900 }, process.env);
writeLaunchFiles(launch);
console.log(JSON.stringify({ argv: launch.argv, env: Object.fromEntries(Object.entries(launch.env).filter(([n]) => /SWITCHYARD|OPENCODE|GEMINI/.test(n))), files: launch.files.map(f=>f.path) }, null, 1));
await k.close();
