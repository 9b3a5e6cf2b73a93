/** aws.accounts entries: an id, or { id, label, tagFilter }; each account once. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../device/config/config.ts';
import { accountLabels, accountsOf } from '../../device/fleet/accounts.ts';

function raw(accounts: unknown) {
  return {
    mqtt: { endpoint: 'localhost', clientId: 'board-1', tls: false },
    aws: { credentials: 'default', accounts, regions: ['eu-west-1'] },
  };
}

function problems(accounts: unknown): readonly string[] {
  try {
    parseConfig(raw(accounts));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config: aws.accounts', () => {
  it('takes plain ids and labelled entries side by side, with a tag filter per account', () => {
    const config = parseConfig(
      raw([
        '111111111111',
        { id: '222222222222', label: 'staging', tagFilter: { key: 'team', value: 'platform' } },
      ]),
    );
    const accounts = accountsOf(config.aws.accounts, { key: 'board', value: 'yes' });
    expect(accounts).toEqual([
      { id: '111111111111', label: '111111111111', tagFilter: { key: 'board', value: 'yes' } },
      { id: '222222222222', label: 'staging', tagFilter: { key: 'team', value: 'platform' } },
    ]);
    expect([...accountLabels(config.aws.accounts)]).toEqual([
      ['111111111111', '111111111111'],
      ['222222222222', 'staging'],
    ]);
  });

  it('names a bad id inside an entry, and a bad label, with the fix', () => {
    expect(problems([{ id: '1234' }])).toEqual([
      expect.stringMatching(/^aws\.accounts\.0\.id = "1234" is invalid.*use a 12-digit account id/),
    ]);
    expect(problems(['111111111111', { id: '222222222222', label: '' }])).toEqual([
      'aws.accounts.1.label = "" is invalid: Too small: expected string to have >=1 characters; use a label of 1-32 characters, such as "prod"',
    ]);
  });

  it('refuses an account listed twice', () => {
    expect(problems(['111111111111', { id: '111111111111', label: 'prod' }])).toEqual([
      'aws.accounts lists 111111111111 twice: list each account once',
    ]);
  });
});
