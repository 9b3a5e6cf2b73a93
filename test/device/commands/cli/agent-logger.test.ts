import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentLogger } from '../../../../device/commands/cli/agent.ts';
import { parseConfig } from '../../../../device/config/config.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'ec2led-logger-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function configWith(board: 'terminal' | 'none') {
  return parseConfig({
    mqtt: { endpoint: '127.0.0.1', port: 1883, clientId: 'desk', tls: false },
    aws: { credentials: 'default', accounts: ['123456789012'], regions: ['us-east-1'] },
    stateDir,
    display: { board },
  });
}

describe('the agent log while the terminal board draws', () => {
  it('goes to agent.log in the state directory when board and log share one terminal', () => {
    const said: string[] = [];
    const log = agentLogger(configWith('terminal'), {
      stdout: () => {},
      stderr: (text) => said.push(text),
      sharedTerminal: true,
    });
    log.info('connected', { endpoint: '127.0.0.1' });
    const path = join(stateDir, 'agent.log');
    expect(said).toEqual([`ec2led agent: logging to ${path} while the terminal board draws here\n`]);
    expect(JSON.parse(readFileSync(path, 'utf8').trim())).toMatchObject({ level: 'info', msg: 'connected' });
  });

  it('stays on stderr for any other board, or when stdout is not the same terminal', () => {
    rmSync(join(stateDir, 'agent.log'), { force: true });
    const said: string[] = [];
    const deps = { stdout: () => {}, stderr: (text: string) => said.push(text) };
    agentLogger(configWith('none'), { ...deps, sharedTerminal: true });
    agentLogger(configWith('terminal'), { ...deps, sharedTerminal: false });
    expect(said).toEqual([]);
    expect(existsSync(join(stateDir, 'agent.log'))).toBe(false);
  });
});
