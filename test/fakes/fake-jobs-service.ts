/**
 * Plays the AWS IoT Jobs service for one thing on a local broker, per the IoT developer guide
 * ("Jobs device MQTT API operations", "Job execution states"):
 * - `start-next` -> `start-next/accepted` with `execution` (the IN_PROGRESS one, else the first
 *   QUEUED, now IN_PROGRESS; with `jobId`, `thingName`, `jobDocument`, `status`, `versionNumber`,
 *   `executionNumber`) or without it when none is pending; the request's `clientToken` comes back.
 *   `rejectStartNext(n)` answers the next n with `start-next/rejected` `{ code: 'InvalidRequest' }`.
 * - `{jobId}/update` -> `{jobId}/update/accepted`, or `/rejected` `{ code: 'InvalidStateTransition' }`
 *   when the execution is already terminal (SUCCEEDED, FAILED, REJECTED...) or unknown.
 * - `notify-next` with the next pending execution whenever it changes (a job added, one ended).
 */
import { io, iot, mqtt } from 'aws-iot-device-sdk-v2';
import { jobsTopic } from '../../shared/topics.ts';
import type { TestPki } from './certs.ts';

type Obj = Record<string, unknown>;
export type ExecutionStatus = 'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface FakeExecution {
  readonly jobId: string;
  readonly jobDocument: unknown;
  status: ExecutionStatus;
  statusDetails: Obj;
  versionNumber: number;
  /** Every status the device set, in order. */
  readonly history: { readonly status: string; readonly statusDetails: Obj }[];
}

export interface FakeJobsService {
  readonly executions: FakeExecution[];
  execution(jobId: string): FakeExecution | undefined;
  /** As CreateJob targeting this thing: queued, and notify-next if it is now the next one. */
  addJob(jobId: string, jobDocument: unknown): Promise<void>;
  rejectStartNext(count: number): void;
  /** How many start-next requests arrived. */
  readonly startNextCount: () => number;
  close(): Promise<void>;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'REMOVED', 'CANCELED']);

export async function startFakeJobsService(
  port: number,
  pki: TestPki,
  thing: string,
): Promise<FakeJobsService> {
  const pair = pki.issueClient('jobs-service');
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(pair.cert, pair.key)
    .with_certificate_authority_from_path(undefined, pki.ca)
    .with_endpoint('127.0.0.1')
    .with_port(port)
    .with_client_id(`jobs-service-${process.pid}-${port}`)
    .with_socket_options(new io.SocketOptions())
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  connection.on('error', () => undefined);
  await connection.connect();
  const executions: FakeExecution[] = [];
  let rejects = 0;
  let startNexts = 0;
  const timestamp = () => Math.floor(Date.now() / 1000);
  const publish = (topic: string, body: Obj) =>
    connection.publish(topic, JSON.stringify(body), mqtt.QoS.AtLeastOnce).then(() => undefined);
  const pending = () =>
    executions.find((e) => e.status === 'IN_PROGRESS') ?? executions.find((e) => e.status === 'QUEUED');
  const summary = (e: FakeExecution): Obj => ({
    jobId: e.jobId,
    thingName: thing,
    jobDocument: e.jobDocument,
    status: e.status,
    statusDetails: e.statusDetails,
    queuedAt: timestamp(),
    lastUpdatedAt: timestamp(),
    versionNumber: e.versionNumber,
    executionNumber: 1,
  });
  const notifyNext = async (): Promise<void> => {
    const next = pending();
    await publish(jobsTopic(thing, { op: 'notify-next' }), {
      timestamp: timestamp(),
      ...(next === undefined ? {} : { execution: summary(next) }),
    });
  };
  const startNext = async (request: Obj): Promise<void> => {
    startNexts += 1;
    const token = typeof request.clientToken === 'string' ? { clientToken: request.clientToken } : {};
    if (rejects > 0) {
      rejects -= 1;
      await publish(jobsTopic(thing, { op: 'start-next/rejected' }), {
        code: 'InvalidRequest',
        message: 'refused by the test',
        timestamp: timestamp(),
        ...token,
      });
      return;
    }
    const next = pending();
    if (next !== undefined && next.status === 'QUEUED') {
      next.status = 'IN_PROGRESS';
      next.versionNumber += 1;
    }
    await publish(jobsTopic(thing, { op: 'start-next/accepted' }), {
      timestamp: timestamp(),
      ...(next === undefined ? {} : { execution: summary(next) }),
      ...token,
    });
  };
  const update = async (jobId: string, request: Obj): Promise<void> => {
    const token = typeof request.clientToken === 'string' ? { clientToken: request.clientToken } : {};
    const execution = executions.find((e) => e.jobId === jobId);
    const status = String(request.status);
    if (execution === undefined || TERMINAL.has(execution.status)) {
      await publish(jobsTopic(thing, { op: 'update/rejected', jobId }), {
        code: 'InvalidStateTransition',
        message: `execution ${jobId} is ${execution?.status ?? 'unknown'}`,
        timestamp: timestamp(),
        ...token,
      });
      return;
    }
    const statusDetails = (request.statusDetails ?? {}) as Obj;
    execution.status = status as ExecutionStatus;
    execution.statusDetails = statusDetails;
    execution.versionNumber += 1;
    execution.history.push({ status, statusDetails });
    await publish(jobsTopic(thing, { op: 'update/accepted', jobId }), { timestamp: timestamp(), ...token });
    if (TERMINAL.has(status)) await notifyNext();
  };

  let queue: Promise<void> = Promise.resolve();
  const base = `$aws/things/${thing}/jobs/`;
  connection.on('message', (topic: string, payload: ArrayBuffer) => {
    let body: Obj = {};
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Obj;
    } catch {
      body = {};
    }
    const rest = topic.slice(base.length);
    queue = queue
      .then(() => (rest === 'start-next' ? startNext(body) : update(rest.split('/')[0] ?? '', body)))
      .catch(() => undefined);
  });
  await Promise.all([
    connection.subscribe(jobsTopic(thing, { op: 'start-next' }), mqtt.QoS.AtLeastOnce),
    connection.subscribe(jobsTopic(thing, { op: 'update', jobId: '+' }), mqtt.QoS.AtLeastOnce),
  ]);
  return {
    executions,
    execution: (jobId) => executions.find((e) => e.jobId === jobId),
    addJob(jobId, jobDocument) {
      const wasNext = pending();
      executions.push({
        jobId,
        jobDocument,
        status: 'QUEUED',
        statusDetails: {},
        versionNumber: 1,
        history: [],
      });
      queue = queue.then(() => (wasNext === undefined ? notifyNext() : undefined));
      return queue;
    },
    rejectStartNext(count) {
      rejects = count;
    },
    startNextCount: () => startNexts,
    async close() {
      await Promise.race([connection.disconnect(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}
