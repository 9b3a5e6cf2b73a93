/**
 * An acknowledge / snooze / unsnooze request as it arrives over HTTP: the web board's
 * `POST /api/attention` and the status socket's (`ec2led ack`, `snooze`, `unsnooze`). One schema
 * for both; parsing never throws, and a rejection names what is wrong and what to send.
 *
 *   {"action": "acknowledge", "target": {"id": "i-0123456789abcdef0"}}
 *   {"action": "snooze", "target": {"kind": "alarm"}, "durationMs": 7200000}
 *   {"action": "unsnooze", "target": {"all": true}}
 *
 * An item target's `id` may be an item's name when no other item has it (picture/attention.ts).
 */
import { z } from 'zod';
import type {
  AttentionBy,
  AttentionControl,
  AttentionReply,
  AttentionTarget,
} from '../../picture/attention.ts';

/** `{"action":"snooze","target":{"id":"<an ARN of 2 KiB>"},"durationMs":604800000}` fits easily. */
export const MAX_ATTENTION_REQUEST_BYTES = 4096;

export const REQUEST_ACTIONS = ['acknowledge', 'snooze', 'unsnooze'] as const;
export type AttentionRequestAction = (typeof REQUEST_ACTIONS)[number];

const requestSchema = z.strictObject({
  action: z.enum(REQUEST_ACTIONS),
  target: z.union([
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ id: z.string().min(1).max(2048) }),
    z.strictObject({ kind: z.string().min(1).max(64) }),
  ]),
  durationMs: z.number().int().positive().optional(),
});

export interface AttentionRequest {
  readonly action: AttentionRequestAction;
  readonly target: AttentionTarget;
  readonly durationMs?: number | undefined;
}

const EXAMPLE =
  'send {"action": "acknowledge" | "snooze" | "unsnooze", "target": {"id": ITEM} | {"kind": KIND} | {"all": true}, "durationMs": N}';

export function parseAttentionRequest(
  text: string,
):
  | { readonly ok: true; readonly request: AttentionRequest }
  | { readonly ok: false; readonly reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `body is not JSON (${(error as Error).message}); ${EXAMPLE}` };
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}; ${EXAMPLE}`,
    };
  }
  return { ok: true, request: parsed.data };
}

/** Carries out a parsed request through the agent. */
export function runAttentionRequest(
  control: AttentionControl,
  request: AttentionRequest,
  by: AttentionBy,
): AttentionReply {
  switch (request.action) {
    case 'acknowledge':
      return control.acknowledge(request.target, by);
    case 'snooze':
      return control.snooze(request.target, request.durationMs, by);
    case 'unsnooze':
      return control.unsnooze(request.target, by);
  }
}
