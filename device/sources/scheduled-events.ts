/**
 * The scheduled events of one region at listing time: DescribeInstanceStatus filtered on the event
 * codes the board shows (`event.code`), so only instances with an event come back
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceStatus.html,
 * `InstanceStatuses[].Events[]`: Code, NotBefore, NotAfter, Description). Paginated at MaxResults 1000,
 * at most MAX_STATUS_PAGES pages; every page read into memory up to MAX_STATUS_PAGE_BYTES and refused
 * unless it is a DescribeInstanceStatusResponse whose instances the SDK read in full (as ec2-page.ts
 * does for DescribeInstances). An event whose description starts `[Completed]` or `[Canceled]` is over.
 *
 * Never rejects: a failure (an older role without `ec2:DescribeInstanceStatus`, throttling, a broken
 * answer) returns the reason, and the listing goes on without this region's scheduled events, whose
 * notices stay as they were (fleet/notices.ts).
 */
import {
  DescribeInstanceStatusCommand,
  type DescribeInstanceStatusCommandOutput,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { isNoticeCode } from '../../shared/notice-message.ts';
import type { ScheduledEvent } from '../fleet/notices.ts';
import { type RawResponse, readBounded } from './ec2-page.ts';

/** The DescribeInstanceStatus event codes (all of them, as the API reference lists them). */
export const SCHEDULED_EVENT_CODES = [
  'instance-reboot',
  'system-reboot',
  'system-maintenance',
  'instance-retirement',
  'instance-stop',
] as const;
export const MAX_STATUS_PAGE_BYTES = 4 * 1024 * 1024;
export const MAX_STATUS_PAGES = 20;
const PAGE_SIZE = 1000;
const ROOT = /^\s*(?:<\?xml[^>]*\?>\s*)?<DescribeInstanceStatusResponse[\s>]/;

/** Reads the page bounded, checks its root, and counts its instances for the SDK's reading. */
function statusPageGuard(checked: { instances?: number }) {
  return <Args, Output>(next: (args: Args) => Promise<Output>) =>
    async (args: Args): Promise<Output> => {
      const result = await next(args);
      const response = (result as { response?: RawResponse }).response;
      if (response === undefined) return result;
      const bytes = await readBounded(response, MAX_STATUS_PAGE_BYTES);
      if (bytes === 'over')
        throw new Error(`a DescribeInstanceStatus page ran over ${MAX_STATUS_PAGE_BYTES} bytes`);
      response.body = bytes;
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) return result;
      const text = Buffer.from(bytes).toString('utf8');
      if (!ROOT.test(text))
        throw new Error(`HTTP ${status}, a body that is not a DescribeInstanceStatusResponse`);
      checked.instances = text.match(/<instanceId>/g)?.length ?? 0;
      return result;
    };
}

function toEvents(
  output: DescribeInstanceStatusCommandOutput,
  expected: number | undefined,
): ScheduledEvent[] {
  const statuses = output.InstanceStatuses ?? [];
  if (expected !== undefined && statuses.length !== expected) {
    throw new Error(`the page holds ${expected} instances and the SDK read ${statuses.length}`);
  }
  const out: ScheduledEvent[] = [];
  for (const status of statuses) {
    const instanceId = status.InstanceId;
    if (instanceId === undefined || instanceId.length > 64) continue;
    for (const event of status.Events ?? []) {
      const code = event.Code;
      const notBefore = event.NotBefore?.getTime();
      if (!isNoticeCode(code) || notBefore === undefined || !Number.isFinite(notBefore)) continue;
      if (/^\[(?:Completed|Canceled)\]/.test(event.Description ?? '')) continue;
      const notAfter = event.NotAfter?.getTime();
      out.push({
        instanceId,
        code,
        notBeforeMs: notBefore,
        ...(notAfter !== undefined && Number.isFinite(notAfter) ? { notAfterMs: notAfter } : {}),
      });
    }
  }
  return out;
}

/** The region's scheduled events, or why they could not be read. */
export async function listScheduledEvents(
  client: EC2Client,
  signal: AbortSignal | undefined,
): Promise<{ events: ScheduledEvent[] } | { reason: string }> {
  const events: ScheduledEvent[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_STATUS_PAGES; page += 1) {
      const command = new DescribeInstanceStatusCommand({
        MaxResults: PAGE_SIZE,
        Filters: [{ Name: 'event.code', Values: [...SCHEDULED_EVENT_CODES] }],
        ...(token === undefined ? {} : { NextToken: token }),
      });
      const checked: { instances?: number } = {};
      command.middlewareStack.addRelativeTo(statusPageGuard(checked), {
        relation: 'after',
        toMiddleware: 'deserializerMiddleware',
        name: 'ec2ledStatusPageGuard',
      });
      const output = await client.send(command, signal === undefined ? {} : { abortSignal: signal });
      events.push(...toEvents(output, checked.instances));
      token = output.NextToken || undefined;
      if (token === undefined) return { events };
    }
    return { reason: `DescribeInstanceStatus returned over ${MAX_STATUS_PAGES} pages` };
  } catch (error) {
    const name = (error as Error).name;
    const fix =
      name === 'UnauthorizedOperation' || name === 'AccessDenied'
        ? '; redeploy the stack (and the member stacks): the device role and ec2led-reader now need ec2:DescribeInstanceStatus'
        : '';
    return { reason: `DescribeInstanceStatus failed: ${name}: ${(error as Error).message}${fix}` };
  }
}
