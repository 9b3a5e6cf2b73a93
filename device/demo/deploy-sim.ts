/**
 * The demo's deploys living the same day as the simulated fleet (simulator.ts): a CodePipeline
 * pipeline whose morning run fails and whose next run fixes it, and an ECS service that rolls out
 * in the afternoon. Pure and fixed, like alarm-sim.ts. `toDeployEvent` turns a step into the event
 * CodePipeline or ECS sends (field names as in their user guides; test/fixtures/deploy holds AWS's
 * own samples).
 */
import type { DeployState } from '../../shared/deploy-message.ts';

export interface SimDeploy {
  /** A pipeline's name, or an ECS service's. */
  readonly name: string;
  readonly region: string;
  /** Undefined: a CodePipeline pipeline; else the ECS cluster of the service. */
  readonly cluster?: string;
}

export interface SimDeployStep {
  /** Virtual time, epoch ms. */
  readonly timeMs: number;
  readonly name: string;
  /** The run (execution or deployment) this step belongs to, 1 and up within the day. */
  readonly run: number;
  readonly state: DeployState;
}

export const DEMO_DEPLOYS: readonly SimDeploy[] = [
  { name: 'shop-web', region: 'eu-west-1' },
  { name: 'shop-cart', region: 'eu-west-1', cluster: 'prod' },
];

const HOUR = 3_600_000;

/** [hour of day, deploy, run, state]: what happens each day. */
const SCHEDULE: readonly (readonly [number, string, number, DeployState])[] = [
  [8.0, 'shop-web', 1, 'deploying'],
  [8.25, 'shop-web', 1, 'deploy-failed'],
  [8.75, 'shop-web', 2, 'deploying'],
  [9.0, 'shop-web', 2, 'deployed'],
  [14.0, 'shop-cart', 1, 'deploying'],
  [14.2, 'shop-cart', 1, 'deployed'],
];

/** The deploy steps of the day starting at `dayStartMs`, in time order. */
export function deployDay(dayStartMs: number): SimDeployStep[] {
  return SCHEDULE.map(([hour, name, run, state]) => ({
    timeMs: dayStartMs + Math.round(hour * HOUR),
    name,
    run,
    state,
  }));
}

/** A UUID-shaped, deterministic execution id for the run started at `startMs`. */
export function executionIdFor(startMs: number): string {
  const hex = Math.floor(startMs / 1000)
    .toString(16)
    .padStart(12, '0')
    .slice(-12);
  return `d0d0d0d0-0000-4000-8000-${hex}`;
}

const PIPELINE_STATE: Readonly<Record<DeployState, string>> = {
  deploying: 'STARTED',
  deployed: 'SUCCEEDED',
  'deploy-failed': 'FAILED',
  'deploy-stopped': 'STOPPED',
};

const ECS_EVENT: Readonly<Record<DeployState, string>> = {
  deploying: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
  deployed: 'SERVICE_DEPLOYMENT_COMPLETED',
  'deploy-failed': 'SERVICE_DEPLOYMENT_FAILED',
  'deploy-stopped': 'SERVICE_DEPLOYMENT_FAILED',
};

const envelopeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The EventBridge event CodePipeline or ECS sends for this step of the run started at `startMs`. */
export function toDeployEvent(
  step: SimDeployStep,
  deploy: SimDeploy,
  account: string,
  eventId: string,
  startMs: number,
): Record<string, unknown> {
  const common = {
    version: '0',
    id: eventId,
    account,
    time: envelopeTime(step.timeMs),
    region: deploy.region,
  };
  if (deploy.cluster === undefined) {
    return {
      ...common,
      'detail-type': 'CodePipeline Pipeline Execution State Change',
      source: 'aws.codepipeline',
      resources: [`arn:aws:codepipeline:${deploy.region}:${account}:${deploy.name}`],
      detail: {
        pipeline: deploy.name,
        'execution-id': executionIdFor(startMs),
        'start-time': new Date(startMs).toISOString(),
        state: PIPELINE_STATE[step.state],
        version: 1,
        'pipeline-execution-attempt': 1,
      },
    };
  }
  return {
    ...common,
    'detail-type': 'ECS Deployment State Change',
    source: 'aws.ecs',
    resources: [`arn:aws:ecs:${deploy.region}:${account}:service/${deploy.cluster}/${deploy.name}`],
    detail: {
      eventType: step.state === 'deploy-failed' ? 'ERROR' : 'INFO',
      eventName: ECS_EVENT[step.state],
      deploymentId: `ecs-svc/${Math.floor(startMs / 1000)}`,
      updatedAt: new Date(step.timeMs).toISOString(),
      reason: `demo: ${deploy.name} ${step.state}`,
    },
  };
}

/** A deterministic UUID-shaped event id for a deploy step. */
export function deployEventIdFor(step: SimDeployStep, index: number): string {
  const hex = (Math.floor(step.timeMs / 1000) + index).toString(16).padStart(12, '0').slice(-12);
  return `d1d2d3d4-0000-4000-8000-${hex}`;
}
