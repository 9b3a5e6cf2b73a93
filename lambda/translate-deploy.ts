/**
 * Pure: an EventBridge `CodePipeline Pipeline Execution State Change` or `ECS Deployment State
 * Change` -> deploy message v1 (shared/deploy-message.ts).
 *
 * CodePipeline (user guide, detect-state-changes-cloudwatch-events): `detail.pipeline`,
 * `detail.execution-id`, `detail.state`; the pipeline's ARN in `resources`. STARTED, RESUMED and
 * STOPPING are `deploying`, SUCCEEDED `deployed`, FAILED `deploy-failed`, STOPPED and CANCELED
 * `deploy-stopped`. SUPERSEDED is skipped: a newer execution of the same pipeline carries its state.
 * The run's start is `detail.start-time` when the event has it, else the event's time.
 *
 * ECS (developer guide, ecs_service_deployment_events): `detail.eventName`
 * SERVICE_DEPLOYMENT_IN_PROGRESS / _COMPLETED / _FAILED, `detail.deploymentId`, `detail.updatedAt`;
 * the service's ARN in `resources`. The event carries no deployment start, so the state's time
 * stands for it: ECS deployments of one service order by their events' times (DescribeServices at
 * the next listing has the real `createdAt`).
 */
import {
  checkDeployMessage,
  DEPLOY_KIND,
  DEPLOY_MESSAGE_VERSION,
  type DeployMessage,
  type DeployState,
  parseDeployArn,
} from '../shared/deploy-message.ts';
import { field, isNot, isRecord } from '../shared/schema.ts';
import { parseAlarmTimestamp } from './translate-alarm.ts';

export const CODEPIPELINE_SOURCE = 'aws.codepipeline';
export const PIPELINE_EXECUTION_CHANGE = 'CodePipeline Pipeline Execution State Change';
export const ECS_SOURCE = 'aws.ecs';
export const ECS_DEPLOYMENT_CHANGE = 'ECS Deployment State Change';

export type DeployTranslateResult =
  | { ok: true; message: DeployMessage }
  /** `skipped`: a valid event that moves no pixel (SUPERSEDED, another ECS event name). */
  | { ok: false; reason: string; eventId: string | undefined; skipped?: true };

const PIPELINE_STATES: Readonly<Record<string, DeployState | 'skip'>> = {
  STARTED: 'deploying',
  RESUMED: 'deploying',
  STOPPING: 'deploying',
  SUCCEEDED: 'deployed',
  FAILED: 'deploy-failed',
  STOPPED: 'deploy-stopped',
  CANCELED: 'deploy-stopped',
  SUPERSEDED: 'skip',
};

const ECS_STATES: Readonly<Record<string, DeployState>> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: 'deploying',
  SERVICE_DEPLOYMENT_COMPLETED: 'deployed',
  SERVICE_DEPLOYMENT_FAILED: 'deploy-failed',
};

/** True for the two detail types this module translates. */
export function isDeployEvent(event: unknown): boolean {
  if (!isRecord(event)) return false;
  const source = field(event, 'source');
  const type = field(event, 'detail-type');
  return (
    (source === CODEPIPELINE_SOURCE && type === PIPELINE_EXECUTION_CHANGE) ||
    (source === ECS_SOURCE && type === ECS_DEPLOYMENT_CHANGE)
  );
}

export function translateDeployEvent(event: unknown): DeployTranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): DeployTranslateResult => ({ ok: false, reason, eventId });
  if (eventId === undefined) return fail('envelope has no string id');

  const source = field(event, 'source');
  const detailType = field(event, 'detail-type');
  const pipeline = source === CODEPIPELINE_SOURCE;
  if (!pipeline && source !== ECS_SOURCE) {
    return fail(isNot('source', source, `${CODEPIPELINE_SOURCE} or ${ECS_SOURCE}`));
  }
  const expectedType = pipeline ? PIPELINE_EXECUTION_CHANGE : ECS_DEPLOYMENT_CHANGE;
  if (detailType !== expectedType) return fail(isNot('detail-type', detailType, expectedType));
  const detail = field(event, 'detail');
  if (!isRecord(detail)) return fail(isNot('detail', detail, 'an object'));
  const envelopeTime = parseAlarmTimestamp(field(event, 'time'));

  const resources = field(event, 'resources');
  if (!Array.isArray(resources)) return fail(isNot('resources', resources, 'an array'));
  const service = pipeline ? 'codepipeline' : 'ecs';
  const arn = resources.find(
    (resource): resource is string =>
      typeof resource === 'string' && parseDeployArn(resource)?.service === service,
  );
  if (arn === undefined) {
    return fail(`resources holds no ${pipeline ? 'CodePipeline pipeline' : 'ECS service'} ARN`);
  }
  const name = (parseDeployArn(arn) as { name: string }).name;

  let state: DeployState;
  let run: unknown;
  let time: number | undefined;
  let start: number | undefined;
  if (pipeline) {
    const detailName = field(detail, 'pipeline');
    if (detailName !== name) {
      return fail(
        `resources names pipeline ${JSON.stringify(name)}, detail names ${JSON.stringify(detailName)}`,
      );
    }
    const raw = field(detail, 'state');
    const mapped =
      typeof raw === 'string' && Object.hasOwn(PIPELINE_STATES, raw) ? PIPELINE_STATES[raw] : undefined;
    if (mapped === undefined) {
      return fail(
        isNot('detail.state', raw, `a pipeline execution state (${Object.keys(PIPELINE_STATES).join(', ')})`),
      );
    }
    if (mapped === 'skip') {
      return {
        ok: false,
        eventId,
        skipped: true,
        reason: `${raw}: a newer execution carries the pipeline's state`,
      };
    }
    state = mapped;
    run = field(detail, 'execution-id');
    time = envelopeTime;
    if (time === undefined) return fail(isNot('time', field(event, 'time'), 'an ISO-8601 time'));
    const rawStart = field(detail, 'start-time');
    start = rawStart === undefined ? time : parseAlarmTimestamp(rawStart);
    if (start === undefined) return fail(isNot('detail.start-time', rawStart, 'an ISO-8601 time'));
  } else {
    const raw = field(detail, 'eventName');
    const mapped = typeof raw === 'string' && Object.hasOwn(ECS_STATES, raw) ? ECS_STATES[raw] : undefined;
    if (mapped === undefined) {
      return fail(
        isNot(
          'detail.eventName',
          raw,
          `an ECS deployment event name (${Object.keys(ECS_STATES).join(', ')})`,
        ),
      );
    }
    state = mapped;
    run = field(detail, 'deploymentId');
    const updatedAt = field(detail, 'updatedAt');
    time = updatedAt === undefined ? envelopeTime : parseAlarmTimestamp(updatedAt);
    if (time === undefined) {
      return fail(
        isNot(
          updatedAt === undefined ? 'time' : 'detail.updatedAt',
          updatedAt ?? field(event, 'time'),
          'an ISO-8601 time',
        ),
      );
    }
    start = time;
  }
  if (typeof run !== 'string') {
    return fail(isNot(pipeline ? 'detail.execution-id' : 'detail.deploymentId', run, 'a string'));
  }
  const checked = checkDeployMessage({
    v: DEPLOY_MESSAGE_VERSION,
    kind: DEPLOY_KIND,
    name,
    state,
    start,
    time,
    arn,
    run,
    event: eventId,
  });
  return checked.ok ? checked : fail(checked.reason);
}
