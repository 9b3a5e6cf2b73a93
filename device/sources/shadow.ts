/**
 * The settings shadow over the agent's MQTT connection (the `ec2led-settings` named shadow of the
 * device's own thing). Level-based, like the fleet: a delta or an accepted update is only a hint to
 * fetch the whole document again, and every document received is resolved in full
 * (settings/remote.ts). So a desired key removed by an update (which makes no delta) is undone too.
 *
 * - On every connection, after the SUBACK of the response topics: `get`. A 404 (no shadow yet) reads
 *   as an empty document, and the report creates the shadow.
 * - `update/delta`, or an `update/accepted` that carries `desired`: `get` again (one in flight at a
 *   time; a hint during it asks for one more).
 * - Each document: the effective settings are applied (only when they changed), then `reported` is
 *   brought to the effective values and the errors, within the 8 KB shadow limit, or not sent.
 * - Nothing received throws: a payload that is not a shadow document is logged and dropped.
 */
import { SHADOW_RESPONSES, shadowTopic } from '../../shared/topics.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import {
  fitReport,
  type Pinned,
  REMOTE_KEYS,
  reportedState,
  reportPatch,
  resolveSettings,
} from '../settings/remote.ts';
import type { SideTopics } from './mqtt.ts';

export interface ShadowSettingsOptions {
  readonly thingName: string;
  /** The config as loaded on the device (file, environment, flags). */
  readonly local: Config;
  readonly pinned: Pinned;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  /** The effective config, after a document changed any remote key (`changed` names them). */
  readonly apply: (config: Config, changed: readonly string[]) => void;
  readonly log: Logger;
  /** Default REMOTE_KEYS. */
  readonly keys?: readonly string[];
}

export interface ShadowSettings extends SideTopics {
  /** The effective config: local until the first document, then local with the shadow's settings. */
  current(): Config;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(payload: ArrayBuffer): Obj | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function createShadowSettings(options: ShadowSettingsOptions): ShadowSettings {
  const log = options.log.child({ source: 'shadow' });
  const keys = options.keys ?? REMOTE_KEYS;
  const topic = (operation: Parameters<typeof shadowTopic>[1]) => shadowTopic(options.thingName, operation);
  const filters = SHADOW_RESPONSES.map(topic);
  let effective = options.local;
  let errorsShown = '';
  let getting = false;
  let again = false;

  const send = (operation: 'get' | 'update', body: Obj): void => {
    options.publish(topic(operation), JSON.stringify(body)).catch((error: unknown) => {
      if (operation === 'get') getting = false;
      log.warn(`shadow ${operation} not sent`, { error: (error as Error).message });
    });
  };
  const get = (): void => {
    if (getting) {
      again = true;
      return;
    }
    getting = true;
    again = false;
    send('get', {});
  };

  const onDocument = (state: Obj): void => {
    const desired = isObject(state.desired) ? state.desired : {};
    const resolved = resolveSettings({
      local: options.local,
      desired,
      pinned: options.pinned,
      previous: effective,
      keys,
    });
    effective = resolved.config;
    const errorsText = JSON.stringify(resolved.errors);
    if (errorsText !== errorsShown) {
      if (errorsText !== '{}') log.warn('shadow settings refused', { errors: resolved.errors });
      errorsShown = errorsText;
    }
    if (resolved.changed.length > 0) {
      log.info('settings from the shadow', { changed: resolved.changed });
      options.apply(effective, resolved.changed);
    }
    const fitted = fitReport(desired, reportedState(effective, resolved.errors, keys));
    if (!fitted.ok) {
      log.warn('shadow report not sent', { reason: fitted.reason });
      return;
    }
    if (fitted.omitted.length > 0) log.warn('shadow report trimmed to fit 8 KB', { omitted: fitted.omitted });
    const patch = reportPatch(state.reported, fitted.reported);
    if (patch !== undefined) send('update', { state: { reported: patch } });
  };

  const onMessage = (received: string, payload: ArrayBuffer): void => {
    const body = parse(payload);
    if (body === undefined) {
      log.warn('shadow message dropped: not a JSON object', { topic: received });
      return;
    }
    if (received === topic('get/accepted') || received === topic('get/rejected')) {
      getting = false;
      if (again) get();
    }
    if (received === topic('get/accepted')) {
      onDocument(isObject(body.state) ? body.state : {});
    } else if (received === topic('get/rejected')) {
      // 404: the shadow does not exist yet; the report creates it.
      if (body.code === 404) onDocument({});
      else log.warn('shadow get refused', { code: body.code, message: body.message });
    } else if (received === topic('update/delta')) {
      get();
    } else if (received === topic('update/accepted')) {
      // Our own reports come back here too; only a change of desired is news.
      if (isObject(body.state) && body.state.desired !== undefined) get();
    } else if (received === topic('update/rejected')) {
      log.warn('shadow update refused', { code: body.code, message: body.message });
    }
  };

  return {
    filters,
    onReady() {
      getting = false;
      get();
    },
    onMessage(received, payload) {
      try {
        onMessage(received, payload);
      } catch (error) {
        log.error('shadow message failed; dropped', { topic: received, error: (error as Error).message });
      }
    },
    current: () => effective,
  };
}
