/**
 * The kinds' registry (kinds/kinds.ts): a kind is one spec; registering one checks what the rest of
 * the agent relies on (a free name, states no other kind uses, a severity per state), and its undo
 * leaves the registry as it was. `isWorse` and the default ordering read the spec's severity.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALL_STATES,
  isKind,
  isStateOf,
  isUrgent,
  isWorse,
  KIND_NAMES,
  registerKind,
  supersedesIn,
} from '../../../device/kinds/kinds.ts';
import { paletteKeys, parsePalette } from '../../../device/picture/palette.ts';
import { registerTicketKind, TICKET_SPEC } from '../../kit/ticket-kind.ts';

const undo: (() => void)[] = [];
afterEach(() => {
  for (const step of undo.splice(0)) step();
});

describe('the kinds registry', () => {
  it('adds a kind to every reader and its undo takes it out again', () => {
    const before = { names: [...KIND_NAMES], states: [...ALL_STATES] };
    const unregister = registerTicketKind();
    expect(KIND_NAMES).toEqual([...before.names, 'ticket']);
    expect(ALL_STATES).toEqual([...before.states, 'open', 'in-progress', 'resolved']);
    expect(isKind('ticket') && isStateOf('ticket', 'open') && isUrgent('ticket', 'open')).toBe(true);
    expect(paletteKeys()).toContain('in-progress');
    expect(parsePalette({ resolved: '#010203' })).toMatchObject({
      ok: true,
      palette: { resolved: [1, 2, 3] },
    });
    unregister();
    expect({ names: [...KIND_NAMES], states: [...ALL_STATES] }).toEqual(before);
    expect(isKind('ticket')).toBe(false);
    expect(isUrgent('ticket', 'open')).toBe(false);
  });

  it('refuses a name taken, a state another kind has, and a state without a severity, saying the fix', () => {
    undo.push(registerTicketKind());
    expect(() => registerKind(TICKET_SPEC)).toThrow('kind "ticket" is registered already');
    expect(() => registerKind({ ...TICKET_SPEC, name: 'job', states: ['running', 'done'] })).toThrow(
      'kind "job": states running belong to another kind; rename them',
    );
    expect(() =>
      registerKind({
        ...TICKET_SPEC,
        name: 'job',
        states: ['queued'],
        severity: {} as Record<string, number>,
      }),
    ).toThrow('kind "job": state queued has no severity; give every state one');
  });

  it('ranks states by severity: isWorse, and the tie-break of the default ordering', () => {
    undo.push(registerTicketKind());
    expect(isWorse('ticket', 'resolved', 'open')).toBe(true);
    expect(isWorse('ticket', 'open', 'in-progress')).toBe(false);
    expect(isWorse('alarm', 'OK', 'ALARM')).toBe(true);
    expect(isWorse('probe', 'down', 'up')).toBe(false);
    // Later wins; in the same millisecond the worse state wins, whichever came first.
    expect(supersedesIn('ticket', { state: 'resolved', timeMs: 2 }, { state: 'open', timeMs: 1 })).toBe(true);
    expect(supersedesIn('ticket', { state: 'resolved', timeMs: 1 }, { state: 'open', timeMs: 1 })).toBe(
      false,
    );
    expect(supersedesIn('ticket', { state: 'open', timeMs: 1 }, { state: 'resolved', timeMs: 1 })).toBe(true);
    // The instance keeps its own rule: terminated absorbs.
    expect(supersedesIn(undefined, { state: 'running', timeMs: 9 }, { state: 'terminated', timeMs: 1 })).toBe(
      false,
    );
  });
});
