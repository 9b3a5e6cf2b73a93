/**
 * The update units in device/systemd/ match the code: the path unit watches the agent's request file
 * (spool.ts under the packaged state folder), the service runs `ec2led update-install` with the
 * package's Node and command (scripts/package-pi.ts), and the package ships both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUEST_FILE, spoolDir } from '../../../../device/agent/update/spool.ts';
import { STATE_DIR, UPDATE_PATH_UNIT } from '../../../../device/commands/service/unit.ts';
import { WORK_DIR } from '../../../../device/commands/update/cli.ts';
import { AGENT_BIN, NODE_PATH, UPDATE_UNITS } from '../../../../scripts/package-pi.ts';

const unit = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../../../device/systemd', name), 'utf8');

describe('the update units', () => {
  it('trigger the installer on the request file the agent writes', () => {
    expect(UPDATE_UNITS).toContain(UPDATE_PATH_UNIT);
    expect(unit(UPDATE_PATH_UNIT)).toContain(`PathExists=${join(spoolDir(STATE_DIR), REQUEST_FILE)}\n`);
    expect(unit(UPDATE_PATH_UNIT)).toContain('Unit=ec2led-update.service\n');
  });

  it('run ec2led update-install as root with the packaged Node, in its own state folder', () => {
    const service = unit('ec2led-update.service');
    expect(service).toContain(`ExecStart=${NODE_PATH} ${AGENT_BIN} update-install\n`);
    expect(service).toContain(`StateDirectory=${WORK_DIR.replace('/var/lib/', '')}\n`);
    expect(service).not.toMatch(/^User=/m);
    expect(service).toContain('Type=oneshot\n');
  });
});
