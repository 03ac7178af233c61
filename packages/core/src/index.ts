export {
  AGENT_KEY,
  type AgentSession,
  agentSessionIn,
  agentSessionOf,
  agentVerdict,
  recordAgentConnection,
  recordAgentToolCall,
} from "./agents.ts";
export { type Block, type BlockInput, blockTask, unblockTask } from "./blocking.ts";
export {
  type BoardText,
  type BoardView,
  type BoardViewOptions,
  boardText,
  boardView,
  type CardText,
  cardJson,
  runProfiles,
  taskDict,
} from "./board-view.ts";
export {
  boardExists,
  boardLocation,
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
  type ClaimCaps,
  type ClaimOptions,
  claimOrRefuse,
  claimTask,
  DEFAULT_CLAIM_TTL_SECONDS,
  type Heartbeat,
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
  type CheckedCompletion,
  type ChecksOutcome,
  type CompleteInput,
  type Completion,
  checkCompletion,
  completeTask,
  type EditResultInput,
  editCompletedResult,
  finishChecks,
  type PendingCheck,
  pendingChecks,
  startChecks,
  type WaiveInput,
  waiveCompletion,
} from "./completion.ts";
export { buildWorkerContext, CONTEXT_CAPS, truncateText } from "./context.ts";
export { nextDeadline, type WorkerDeadline, workerDeadlines } from "./deadlines.ts";
export { taskDetail } from "./detail.ts";
export {
  type Capacity,
  type DispatchOptions,
  dispatchOnce,
  hasSpawnableReady,
  isOwnWorker,
  type SpawnRequest,
  type StopResult,
  type WorkerLiveness,
  type WorkersInUse,
  workersInUse,
} from "./dispatcher.ts";
export { parseDuration } from "./duration.ts";
export { CoreError, type CoreErrorFacts, isCoreError, isStorageFailure, notFound, STORAGE_FAILURES } from "./errors.ts";
export { appendEvent, eventsSince, latestEventId, listEvents } from "./events.ts";
export {
  DEFAULT_FAILURE_LIMIT,
  detectCrashedWorkers,
  type EndedWorker,
  type ExitPolicy,
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
  type WorkerExit,
} from "./failures.ts";
export {
  FLEET_BUCKETS_MAX,
  FLEET_RUNS_MAX,
  FLEET_WINDOW_SECONDS,
  type FleetConfig,
  type FleetOptions,
  fleetFigures,
  quantile,
  queueReason,
  spread,
  withFleetConfig,
} from "./fleet.ts";
export { type CardVerdict, findTaskRefs, normalizeCards, phantomRefs, verifyCreatedCards } from "./gate.ts";
export { DEFAULT_RETENTION_DAYS, gcEvents, gcWorkerLogs, gcWorkspaces, gcWorktrees } from "./gc.ts";
export {
  type HostBeat,
  heartbeatHost,
  leaveHost,
  listHosts,
  recordWorkerStopped,
} from "./hosts.ts";
export { claimerOf, createKernel, type Kernel, lockHost, type OpenKernelOptions, openKernel } from "./kernel.ts";
export {
  assertParentsSatisfied,
  childIds,
  linkTasks,
  parentIds,
  recomputeReady,
  unlinkTasks,
  waitingOn,
} from "./links.ts";
export { boardSchemaStatus, migrateBoard } from "./migrations.ts";
export { archiveTask, type MoveInput, moveTask, setStatusDirect } from "./moves.ts";
export {
  addNotifySub,
  advanceNotifyCursor,
  listNotifySubs,
  type NotifySub,
  removeNotifySub,
  type SubKey,
  unseenEventsForSub,
} from "./notify.ts";
export { type BulkOutcome, bulkUpdate, type Patched, patchTask } from "./patch.ts";
export {
  type BoardPaths,
  boardDir,
  boardPaths,
  boardsDir,
  currentFile,
  DEFAULT_BOARD,
  databaseUrlOf,
  type Env,
  expandHome,
  type Home,
  kanbanDir,
  normalizeSlug,
  requireAbsolute,
  resolveHome,
  withoutPassword,
} from "./paths.ts";
export {
  exitFingerprint,
  normalizeLogLine,
  PAUSE_AFTER_FAILURES,
  PAUSE_WINDOW_SECONDS,
  pausedProfiles,
  resumeProfile,
  spawnFingerprint,
} from "./pauses.ts";
export { getPolicy, type ProfileRequirements, resolveRequirements, setPolicy } from "./policy.ts";
export type { WorkspaceProbe } from "./probe.ts";
export { getProof, isHandedIn, proofsOf } from "./proofs.ts";
export {
  type Backoff,
  backoffSeconds,
  DEFAULT_BACKOFF,
  nextRetryAt,
  RATE_LIMIT_EXIT_CODE,
  type RateLimitOutcome,
  recordRateLimit,
} from "./rate-limits.ts";
export { checkVerdict, type PlannedCheck, REMOTE_TIMEOUT_MS, verifyClaims } from "./receipts.ts";
export { type ReassignResult, reassignTask, reclaimTask } from "./recovery.ts";
export { activeRun, closeRun, getRun, latestRun, listRuns, synthesizeRun } from "./runs.ts";
export { boardCounts, boardFacets, boardStats, knownAssignees, runningByProfile, taskAge } from "./stats.ts";
export type { Queryable, StorageDriver, Transaction } from "./storage/driver.ts";
export { closeCatalogs } from "./storage/postgres-catalog.ts";
export { BUSY_TIMEOUT_ENV, busyTimeoutFromEnv, WAL_AUTOCHECKPOINT_PAGES } from "./storage/sqlite-file.ts";
export { SCHEMA_VERSION } from "./storage/sqlite-schema.ts";
export {
  assignTask,
  type CompletionRules,
  createTask,
  editTask,
  getTask,
  listTasks,
  type NewTask,
  normalizeAssignee,
  normalizeSkills,
  requireTask,
  setCompletionRules,
  setMaxRetries,
  setModelOverride,
  setPriority,
  TASK_ORDER,
  type TaskFilter,
} from "./tasks.ts";
export {
  BOARD_TABLES,
  exportBoard,
  formatBoardDocument,
  importBoard,
  NOT_TRANSFERRED,
  parseBoardDocument,
  rowCounts,
} from "./transfer.ts";
export { boardWarnings, taskWarnings } from "./warnings.ts";
export { saveWorkInProgress, wipRef } from "./wip.ts";
export {
  claimWithWorkspace,
  type PreparedWorkspace,
  prepareWorkspace,
  resolveWorkspace,
  stampRun,
  taskBranch,
} from "./workspaces.ts";
