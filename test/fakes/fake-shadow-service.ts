/**
 * Plays the AWS IoT Device Shadow service for one named shadow on a local broker, with the rules
 * the agent depends on (AWS IoT developer guide, "Device Shadow service MQTT topics" and "Shadow
 * document examples"):
 * - `get` -> `get/accepted` with `state.desired`, `state.reported` (and `state.delta`), or
 *   `get/rejected` `{ code: 404 }` while no shadow exists.
 * - `update` -> the state merges into the document (objects key by key, null deletes, anything
 *   else replaces); `update/accepted` echoes the request's state; when the request changed desired
 *   and desired still differs from reported, `update/delta` carries the difference.
 * - A document whose desired + reported state would exceed 8192 bytes is refused: `update/rejected`
 *   `{ code: 413 }`, nothing stored.
 * - A request's `clientToken` comes back in its answers (accepted or rejected), as AWS reflects it.
 * `setDesired` is the admin's UpdateThingShadow (HTTP): the same update, from outside MQTT.
 * `loseGetAnswers(n)` drops the answers to the next n `get`s, as a QoS 0 answer is lost on IoT Core.
 */
import { io, iot, mqtt } from 'aws-iot-device-sdk-v2';
import { SHADOW_STATE_LIMIT_BYTES, stateBytes } from '../../device/config/remote-settings.ts';
import { SETTINGS_SHADOW, shadowTopic } from '../../shared/topics.ts';
import type { TestPki } from './certs.ts';

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shadow's merge: objects key by key, null deletes, anything else replaces. */
export function mergeState(into: Obj, patch: Obj): Obj {
  const out: Obj = { ...into };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) {
      const merged = mergeState(isObject(out[key]) ? out[key] : {}, value);
      if (Object.keys(merged).length === 0) delete out[key];
      else out[key] = merged;
    } else out[key] = value;
  }
  return out;
}

/** Desired keys whose value differs from reported (objects compared key by key). */
export function deltaOf(desired: Obj, reported: Obj): Obj {
  const delta: Obj = {};
  for (const [key, value] of Object.entries(desired)) {
    const other = reported[key];
    if (isObject(value) && isObject(other)) {
      const inner = deltaOf(value, other);
      if (Object.keys(inner).length > 0) delta[key] = inner;
    } else if (JSON.stringify(value) !== JSON.stringify(other)) delta[key] = value;
  }
  return delta;
}

export interface ShadowDocument {
  readonly desired: Obj;
  readonly reported: Obj;
  readonly version: number;
}

export interface FakeShadowService {
  /** The stored document; undefined while no shadow exists. */
  document(): ShadowDocument | undefined;
  /** Every request the device published, in order: `get` or `update` with its body. */
  readonly requests: { readonly operation: 'get' | 'update'; readonly body: Obj }[];
  /** Every answer published, in order, by topic suffix. */
  readonly answers: { readonly operation: string; readonly body: Obj }[];
  /** As the admin's UpdateThingShadow: merge into desired, publish accepted and delta. */
  setDesired(patch: Obj): Promise<void>;
  /** The answers to the next `count` gets are never published. */
  loseGetAnswers(count: number): void;
  /** Publishes `payload` on a response topic ("update/delta"...) as no request asked: junk or a forgery. */
  forge(operation: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeShadowService(
  port: number,
  pki: TestPki,
  thingName: string,
  options: { readonly shadow?: string; readonly initial?: ShadowDocument } = {},
): Promise<FakeShadowService> {
  const shadow = options.shadow ?? SETTINGS_SHADOW;
  const pair = pki.issueClient('shadow-service');
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(pair.cert, pair.key)
    .with_certificate_authority_from_path(undefined, pki.ca)
    .with_endpoint('127.0.0.1')
    .with_port(port)
    .with_client_id(`shadow-service-${process.pid}-${port}`)
    .with_socket_options(new io.SocketOptions())
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  connection.on('error', () => undefined);
  await connection.connect();
  const topic = (operation: string) => shadowTopic(thingName, operation as 'get', shadow);
  let doc: ShadowDocument | undefined = options.initial;
  const requests: FakeShadowService['requests'] = [];
  const answers: FakeShadowService['answers'] = [];
  let lose = 0;
  const answer = async (operation: string, body: Obj, request?: Obj): Promise<void> => {
    if (typeof request?.clientToken === 'string') body = { ...body, clientToken: request.clientToken };
    if (operation.startsWith('get/') && lose > 0) {
      lose -= 1;
      return;
    }
    answers.push({ operation, body });
    await connection.publish(topic(operation), JSON.stringify(body), mqtt.QoS.AtLeastOnce);
  };
  const timestamp = () => Math.floor(Date.now() / 1000);

  const update = async (body: Obj): Promise<void> => {
    const state = isObject(body.state) ? body.state : undefined;
    if (state === undefined) {
      await answer('update/rejected', { code: 400, message: 'Missing required node: state' }, body);
      return;
    }
    const before = doc ?? { desired: {}, reported: {}, version: 0 };
    const desired = isObject(state.desired) ? mergeState(before.desired, state.desired) : before.desired;
    const reported = isObject(state.reported) ? mergeState(before.reported, state.reported) : before.reported;
    if (stateBytes(desired, reported) > SHADOW_STATE_LIMIT_BYTES) {
      await answer(
        'update/rejected',
        { code: 413, message: 'The payload exceeds the maximum size allowed' },
        body,
      );
      return;
    }
    doc = { desired, reported, version: before.version + 1 };
    await answer(
      'update/accepted',
      { state, metadata: {}, version: doc.version, timestamp: timestamp() },
      body,
    );
    const delta = deltaOf(desired, reported);
    if (isObject(state.desired) && Object.keys(delta).length > 0) {
      await answer('update/delta', {
        state: delta,
        metadata: {},
        version: doc.version,
        timestamp: timestamp(),
      });
    }
  };

  const get = async (request: Obj): Promise<void> => {
    if (doc === undefined) {
      await answer(
        'get/rejected',
        { code: 404, message: `No shadow exists with name: '${shadow}'` },
        request,
      );
      return;
    }
    const delta = deltaOf(doc.desired, doc.reported);
    const state: Obj = { desired: doc.desired, reported: doc.reported };
    if (Object.keys(delta).length > 0) state.delta = delta;
    await answer(
      'get/accepted',
      { state, metadata: {}, version: doc.version, timestamp: timestamp() },
      request,
    );
  };

  // One at a time, in arrival order, as the service orders a shadow's updates.
  let queue: Promise<void> = Promise.resolve();
  connection.on('message', (received: string, payload: ArrayBuffer) => {
    let body: Obj = {};
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (isObject(parsed)) body = parsed;
    } catch {
      body = {};
    }
    const operation = received === topic('get') ? 'get' : 'update';
    requests.push({ operation, body });
    queue = queue.then(() => (operation === 'get' ? get(body) : update(body))).catch(() => undefined);
  });
  await Promise.all([
    connection.subscribe(topic('get'), mqtt.QoS.AtLeastOnce),
    connection.subscribe(topic('update'), mqtt.QoS.AtLeastOnce),
  ]);

  return {
    document: () => doc,
    requests,
    answers,
    setDesired(patch) {
      queue = queue.then(() => update({ state: { desired: patch } }));
      return queue;
    },
    loseGetAnswers(count) {
      lose = count;
    },
    async forge(operation, payload) {
      await connection.publish(topic(operation), payload, mqtt.QoS.AtLeastOnce);
    },
    async close() {
      await Promise.race([connection.disconnect(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}
