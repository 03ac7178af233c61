export { blockTask, unblockTask } from "./blocking.ts";
export { type BoardView, type BoardViewOptions, boardView, taskDict } from "./board-view.ts";
export {
  clearCurrentBoard,
  createBoard,
  currentBoard,
  listBoards,
  openBoard,
  readBoardMeta,
  removeBoard,
  requireBoard,
  setCurrentBoard,
  titleCase,
  writeBoardMeta,
} from "./boards.ts";
export {
  assertCurrentRun,
  type ClaimOptions,
  claimTask,
  DEFAULT_CLAIM_TTL_SECONDS,
  type HeartbeatOptions,
  heartbeatClaim,
  heartbeatWorker,
  isLocalLock,
  releaseStaleClaims,
  setWorkerPid,
  type WorkerRef,
} from "./claims.ts";
export {
  type Clock,
  createManualClock,
  createSequentialIds,
  type IdSource,
  type ManualClock,
  randomIds,
  systemClock,
} from "./clock.ts";
export { addComment, listComments } from "./comments.ts";
export {
  type CompleteInput,
  type Completion,
  completeTask,
  type EditResultInput,
  editCompletedResult,
} from "./completion.ts";
export {
  type ConfigSource,
  configPath,
  createConfigSource,
  loadConfig,
  modelHint,
  resolveProfile,
  spawnableProfiles,
} from "./config.ts";
export { buildWorkerContext, CONTEXT_CAPS, truncateText } from "./context.ts";
export { openDatabase, WAL_AUTOCHECKPOINT_PAGES } from "./db.ts";
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
export {
  type Capacity,
  type DispatchOptions,
  dispatchOnce,
  hasSpawnableReady,
  type SpawnRequest,
  type WorkersInUse,
  workersInUse,
} from "./dispatcher.ts";
export { parseDuration } from "./duration.ts";
export { CoreError, type CoreErrorFacts, isCoreError, notFound } from "./errors.ts";
export { appendEvent, eventsSince, latestEventId, listEvents } from "./events.ts";
export {
  DEFAULT_FAILURE_LIMIT,
  detectCrashedWorkers,
  type EndedWorker,
  type Failure,
  type FailureKind,
  type FailureOutcome,
  localWorkers,
  type OverdueWorker,
  overdueWorkers,
  recordFailure,
  recordTimeout,
  recordWorkerExit,
  supersededWorkers,
} from "./failures.ts";
export { type CardVerdict, findTaskRefs, normalizeCards, phantomRefs, verifyCreatedCards } from "./gate.ts";
export { DEFAULT_RETENTION_DAYS, gcEvents, gcWorkerLogs, gcWorkspaces } from "./gc.ts";
export { claimerOf, createKernel, type Kernel, lockHost, type OpenKernelOptions, openKernel } from "./kernel.ts";
export {
  assertParentsSatisfied,
  childIds,
  demoteChildrenOf,
  linkTasks,
  parentIds,
  promoteChildrenOf,
  recomputeReady,
  unlinkTasks,
  waitingOn,
} from "./links.ts";
export { LOG_ROTATE_BYTES, openWorkerLog, readWorkerLog, rotateWorkerLog, workerLogPath } from "./logs.ts";
export { archiveTask, type MoveInput, moveTask, setStatusDirect } from "./moves.ts";
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
export {
  addNotifySub,
  advanceNotifyCursor,
  listNotifySubs,
  type NotifySub,
  removeNotifySub,
  type SubKey,
  unseenEventsForSub,
} from "./notify.ts";
export {
  type BoardPaths,
  boardDir,
  boardExists,
  boardPaths,
  boardsDir,
  currentFile,
  DEFAULT_BOARD,
  type Env,
  expandHome,
  type Home,
  kanbanDir,
  normalizeSlug,
  requireAbsolute,
  resolveHome,
} from "./paths.ts";
export { isOwnWorker, type ProcessControl, type StopResult, stopProcess, systemProcesses } from "./process.ts";
export { type ReassignResult, reassignTask, reclaimTask } from "./recovery.ts";
export { activeRun, closeRun, getRun, latestRun, listRuns, synthesizeRun } from "./runs.ts";
export { SCHEMA_VERSION } from "./schema.ts";
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
export {
  boardCounts,
  boardFacets,
  boardStats,
  hermesProfilesOnDisk,
  knownAssignees,
  runningByProfile,
  taskAge,
} from "./stats.ts";
export {
  assignTask,
  createTask,
  editTask,
  getTask,
  listTasks,
  type NewTask,
  normalizeAssignee,
  normalizeSkills,
  requireTask,
  setPriority,
  type TaskFilter,
} from "./tasks.ts";
export { boardWarnings, taskWarnings } from "./warnings.ts";
export { resolveWorkspace } from "./workspaces.ts";
