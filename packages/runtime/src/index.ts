export {
  type ConfigSource,
  configPath,
  createConfigSource,
  hermesProfilesOnDisk,
  isHermesHome,
  loadConfig,
  modelHint,
  resolveProfile,
  spawnableProfiles,
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
  dispatchInServer,
  type RoundOutcome,
  STUCK_TICKS,
  STUCK_WARN_EVERY_SECONDS,
  stopWorker,
  type TickOptions,
  wakesDispatcher,
} from "./dispatch-service.ts";
export { LOG_ROTATE_BYTES, openWorkerLog, readWorkerLog, rotateWorkerLog, workerLogPath } from "./logs.ts";
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
export { type ProcessControl, stopProcess, systemProcesses } from "./process.ts";
export {
  type LaunchFacts,
  planLaunch,
  startWorker,
  WORKER_SKILL,
  type WorkerLaunch,
  workerArgv,
  workerEnv,
  workerPrompt,
  workerSkills,
} from "./spawner.ts";
