import { describe, expect, it } from 'vitest';
import { stateParent } from '../../../device/demo/pipeline.ts';

describe('the demo agent state folder', () => {
  it('goes under the work folder when its status socket fits there', () => {
    expect(stateParent('/home/me/ec2-led/.ec2led-demo/', '/tmp')).toBe('/home/me/ec2-led/.ec2led-demo/');
  });

  it('goes to the temp folder when a clone sits so deep that the socket path would pass 107 bytes', () => {
    const deep = `/home/me/${'a-long-folder-name/'.repeat(4)}ec2-led/.ec2led-demo/`;
    // deep + 'ec2led-demo-XXXXXX/agent.sock' is 108 bytes or more
    expect(Buffer.byteLength(`${deep}ec2led-demo-XXXXXX/agent.sock`)).toBeGreaterThan(107);
    expect(stateParent(deep, '/tmp')).toBe('/tmp');
  });

  it('is the temp folder when no work folder is given', () => {
    expect(stateParent(undefined, '/tmp/x')).toBe('/tmp/x');
  });
});
