/**
 * Deploy message v1: what the Lambda publishes for a CodePipeline execution's or an ECS service
 * deployment's state change, on its own topic tree (`deployTopic` in topics.ts), one per change.
 *
 *   {"v":1,"kind":"deploy","name":"myPipeline","state":"deploy-failed","start":1612119343910,
 *    "time":1612119343000,"arn":"arn:aws:codepipeline:us-west-2:123456789012:myPipeline",
 *    "run":"12345678-1234-5678-abcd-12345678abcd","event":"01234567-…"}
 *
 * Contract:
 * - A third kind beside the instance and alarm messages: agents built before it neither subscribe to
 *   its topics nor accept its payload (`kind` is unknown to the other decoders), so they drop it.
 * - `arn` is a CodePipeline pipeline's ARN (`arn:…:codepipeline:{region}:{account}:{name}`) or an
 *   ECS service's (`arn:…:ecs:{region}:{account}:service/{cluster}/{name}`); `name` is the ARN's name.
 * - `run` is the execution id (CodePipeline) or the deployment id (ECS `ecs-svc/…`).
 * - `start` is when that run started (epoch ms); `time` when it entered `state`. Two messages for one
 *   ARN order by `start` first (a newer run outranks any state of an older one, however late its
 *   event arrives), then by `time`, then by the state's severity (the deploy kind's `supersedes`,
 *   device/kinds/kinds.ts).
 * - `encodeDeployMessage` writes the keys in this order and nothing else, and throws on a message
 *   `decodeDeployMessage` would reject; `decodeDeployMessage` never throws.
 * A decoded message is a hint: ListPipelineExecutions and DescribeServices are the truth.
 */

import { asDecoded, decodePayload, wire } from './message.ts';
import { check, literal, object, oneOf, pattern, refine, type Schema, show, text } from './schema.ts';

export const DEPLOY_MESSAGE_VERSION = 1;
export const DEPLOY_KIND = 'deploy';
/**
 * A deploy's states, named apart from every other kind's (config `colors` keys them): a run in
 * progress, one that succeeded, one that failed, one stopped or cancelled by hand.
 */
export const DEPLOY_STATES = ['deploying', 'deployed', 'deploy-failed', 'deploy-stopped'] as const;
export type DeployState = (typeof DEPLOY_STATES)[number];

const PARTITION = 'aws[a-z-]*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
/** Groups: partition, region, account, name. CodePipeline names: 1-100 of [A-Za-z0-9.@_-]. */
export const PIPELINE_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITION}):codepipeline:(${REGION}):(\\d{12}):([A-Za-z0-9.@_-]{1,100})$`,
);
/** Groups: partition, region, account, cluster, name. ECS names: 1-255 of [A-Za-z0-9_-]. */
export const SERVICE_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITION}):ecs:(${REGION}):(\\d{12}):service/([A-Za-z0-9_-]{1,255})/([A-Za-z0-9_-]{1,255})$`,
);
/** Either of the two: every deploy pixel's id. */
export const DEPLOY_ARN_PATTERN = new RegExp(`${PIPELINE_ARN_PATTERN.source}|${SERVICE_ARN_PATTERN.source}`);
/** An execution id (a UUID) or an ECS deployment id (`ecs-svc/` and digits). */
const RUN_PATTERN = /^[A-Za-z0-9/_-]{1,128}$/;

export interface DeployMessage {
  readonly v: typeof DEPLOY_MESSAGE_VERSION;
  readonly kind: typeof DEPLOY_KIND;
  readonly name: string;
  readonly state: DeployState;
  /** When the run started, epoch milliseconds: the first ordering key. */
  readonly start: number;
  /** When the run entered `state`, epoch milliseconds. */
  readonly time: number;
  readonly arn: string;
  /** The execution or deployment id. */
  readonly run: string;
  /** The EventBridge event id, for tracing and deduplication. */
  readonly event: string;
}

export type DeployDecodeResult = { ok: true; message: DeployMessage } | { ok: false; reason: string };

export function isDeployState(value: unknown): value is DeployState {
  return typeof value === 'string' && (DEPLOY_STATES as readonly string[]).includes(value);
}

/** What a deploy ARN names, or undefined when it is neither a pipeline's nor a service's. */
export function parseDeployArn(arn: string):
  | {
      readonly service: 'codepipeline' | 'ecs';
      readonly region: string;
      readonly account: string;
      /** The pipeline's name, or the service's (without its cluster). */
      readonly name: string;
      /** ECS only: the cluster's name. */
      readonly cluster?: string;
    }
  | undefined {
  const pipeline = PIPELINE_ARN_PATTERN.exec(arn);
  if (pipeline !== null) {
    const [, , region, account, name] = pipeline as unknown as [string, string, string, string, string];
    return { service: 'codepipeline', region, account, name };
  }
  const service = SERVICE_ARN_PATTERN.exec(arn);
  if (service === null) return undefined;
  const [, , region, account, cluster, name] = service as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { service: 'ecs', region, account, name, cluster };
}

const deployArn = refine(text(1, 2048, "a CodePipeline pipeline's or an ECS service's ARN"), (arn, path) =>
  parseDeployArn(arn) === undefined
    ? `${path} ${show(arn)} is not a CodePipeline pipeline's or an ECS service's ARN`
    : undefined,
);

/** Deploy message v1, key order as encoded; no other key; the name is the ARN's. */
export const deployMessageSchema: Schema<DeployMessage> = refine(
  object(
    {
      v: literal(DEPLOY_MESSAGE_VERSION),
      kind: literal(DEPLOY_KIND, `"${DEPLOY_KIND}"`),
      name: text(1, 255, 'a pipeline or service name'),
      state: oneOf(DEPLOY_STATES, `a deploy state (${DEPLOY_STATES.join(', ')})`),
      start: wire.time,
      time: wire.time,
      arn: deployArn,
      run: pattern(RUN_PATTERN, 'an execution or deployment id'),
      event: wire.event,
    },
    { strict: true, what: 'a JSON object', labels: { v: 'version' } },
  ),
  ({ name, arn }) => {
    const arnName = parseDeployArn(arn)?.name;
    return arnName === name ? undefined : `name ${show(name)} is not the ARN's ${show(arnName)}`;
  },
);

/** Validates a parsed value as a deploy message v1. Never throws. */
export function checkDeployMessage(value: unknown): DeployDecodeResult {
  return asDecoded(check(deployMessageSchema, value, 'message'));
}

/** Decodes a payload as received from MQTT (text, bytes, any buffer). Total: never throws. */
export function decodeDeployMessage(payload: unknown): DeployDecodeResult {
  return asDecoded(decodePayload(payload, deployMessageSchema));
}

/** Encodes in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeDeployMessage(message: DeployMessage): string {
  const checked = checkDeployMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid deploy message: ${checked.reason}`);
  // The schema rebuilds the message with its keys alone, in its order: the wire's order.
  return JSON.stringify(checked.message);
}
