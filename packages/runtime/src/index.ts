export { type CheckInput, type CheckRun, DEFAULT_CHECK_GRACE_MS, runCheck } from "./checks.ts";
export {
  type ConfigSource,
  configPath,
  createConfigSource,
  fleetConfig,
  hermesProfilesOnDisk,
  isHermesHome,
  loadConfig,
  modelHint,
  resolveProfile,
  spawnableProfiles,
  storageHome,
} from "./config.ts";
export {
  createDemoHome,
  DEMO_MARKER,
  DEMO_QUESTION,
  type DemoHomeOptions,
  demoConfig,
  locateFakeAgent,
  removeDemoHome,
  seedDemoBoard,
} from "./demo.ts";
export {
  createDispatchHealth,
  createDispatchService,
  type DispatchService,
  type DispatchServiceOptions,
  dispatcherHostId,
  dispatchInServer,
  type RoundOutcome,
  STUCK_TICKS,
  STUCK_WARN_EVERY_SECONDS,
  stopWorker,
  type TickOptions,
  wakesDispatcher,
} from "./dispatch-service.ts";
export { gitProbe } from "./git-probe.ts";
export {
  LOG_ROTATE_BYTES,
  openWorkerLog,
  readWorkerLog,
  rotateWorkerLog,
  runLogTail,
  START_HEADER,
  workerLogPath,
} from "./logs.ts";
export {
  createHttpSender,
  createNotifier,
  MAX_SEND_FAILURES,
  type Notification,
  type Notifier,
  type NotifierOptions,
  type NotifySend,
  type NotifyTickResult,
  notifyText,
  SEND_TIMEOUT_MS,
} from "./notifier.ts";
export { CLAUDE_BOARD_TOOLS } from "./presets/claude-code.ts";
export { codexMcpOverrides } from "./presets/codex.ts";
export {
  diagnoseProfile,
  findCredentials,
  findExecutable,
  firstLine,
  helpListsFlag,
  PROBE_TASK_ID,
  type ProfileDiagnosis,
  probeLaunch,
  probeTask,
} from "./presets/doctor.ts";
export { geminiAuthType } from "./presets/gemini.ts";
export { gooseExtension } from "./presets/goose.ts";
export {
  cliEntry,
  flagsOf,
  MCP_SERVER_NAME,
  mcpServerLaunch,
  mcpServersJson,
  registerCliEntry,
  switchyardCliArgv,
  switchyardMcpArgv,
} from "./presets/mcp-server.ts";
export { agentPrompt } from "./presets/prompt.ts";
export { PRESET_TABLE, presetFor } from "./presets/table.ts";
export type {
  AuthCheck,
  DocumentedFlags,
  McpServerLaunch,
  PresetContext,
  PresetDefinition,
  PresetFile,
  PresetLaunch,
} from "./presets/types.ts";
export { runWrapped, type WrapOptions, type WrappedRun } from "./presets/wrap.ts";
export { type ProcessControl, stopProcess, systemProcesses } from "./process.ts";
export {
  type LaunchFacts,
  planLaunch,
  runDirOf,
  runMcpServer,
  startWorker,
  WORKER_SKILL,
  type WorkerLaunch,
  workerArgv,
  workerEnv,
  workerModel,
  workerPins,
  workerPrompt,
  workerSkills,
  writeLaunchFiles,
} from "./spawner.ts";
