import { describe, expect, test } from 'vitest';
import {
  addMessage,
  deleteMessage,
  dropOldestTurn,
  messagesForModel,
  newConversation,
  selectBranch,
  siblingIds,
  siblings,
  thread,
} from '../../src/chat/conversation';
import { fromJson, toJson, toMarkdown } from '../../src/chat/transfer';

let clock = 0;
const add = (
  c: ReturnType<typeof newConversation>,
  parent: string | null,
  role: 'user' | 'assistant',
  text: string,
  id: string,
) => addMessage(c, parent, role, text, ++clock, id);

function twoTurns() {
  let c = newConversation(0, 'c');
  c = add(c, null, 'user', 'write fib', 'u1');
  c = add(c, 'u1', 'assistant', 'def fib', 'a1');
  c = add(c, 'a1', 'user', 'in rust', 'u2');
  c = add(c, 'u2', 'assistant', 'fn fib', 'a2');
  return c;
}

describe('conversation tree', () => {
  test('the thread follows the messages; the title comes from the first', () => {
    const c = twoTurns();
    expect(thread(c).map((n) => n.id)).toEqual(['u1', 'a1', 'u2', 'a2']);
    expect(c.title).toBe('write fib');
  });

  test('editing a user message branches from there, and the old branch stays reachable', () => {
    let c = add(twoTurns(), 'a1', 'user', 'in go', 'u2b');
    c = add(c, 'u2b', 'assistant', 'func fib', 'a2b');
    expect(thread(c).map((n) => n.id)).toEqual(['u1', 'a1', 'u2b', 'a2b']);
    expect(siblings(c, 'u2b').map((n) => n.id)).toEqual(['u2', 'u2b']);
    // siblingIds gives siblings() of every message shown, in one pass.
    expect(siblingIds(c, thread(c))).toEqual(thread(c).map((n) => siblings(c, n.id).map((s) => s.id)));
    expect(siblingIds(c, thread(c))[2]).toEqual(['u2', 'u2b']);
    c = selectBranch(c, 'u2');
    expect(thread(c).map((n) => n.id)).toEqual(['u1', 'a1', 'u2', 'a2']);
  });

  test('regenerating adds a sibling answer', () => {
    const c = add(twoTurns(), 'u2', 'assistant', 'fn fib2', 'a2b');
    expect(thread(c).at(-1)!.id).toBe('a2b');
    expect(siblings(c, 'a2').length).toBe(2);
  });

  test('deleting a message removes what followed it', () => {
    const c = deleteMessage(twoTurns(), 'a1');
    expect(thread(c).map((n) => n.id)).toEqual(['u1']);
    expect(Object.keys(c.nodes)).toEqual(['u1']);
  });

  test('the model gets the system prompt and the thread, from the context start', () => {
    let c = { ...twoTurns(), systemPrompt: 'Be brief.' };
    c = add(c, 'a2', 'user', 'and in go', 'u3');
    expect(messagesForModel(c).map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    c = dropOldestTurn(c)!;
    expect(messagesForModel(c).map((m) => m.content)).toEqual(['Be brief.', 'in rust', 'fn fib', 'and in go']);
    c = dropOldestTurn(c)!;
    expect(messagesForModel(c).map((m) => m.content)).toEqual(['Be brief.', 'and in go']);
    expect(dropOldestTurn(c)).toBeUndefined();
    expect(thread(c)).toHaveLength(5); // still on screen
  });
});

describe('export and import', () => {
  test('JSON round-trips under a new id; Markdown reads as a transcript', () => {
    const c = twoTurns();
    const back = fromJson(toJson(c), 5, 'new');
    expect(back.id).toBe('new');
    expect(thread(back).map((n) => n.content)).toEqual(['write fib', 'def fib', 'in rust', 'fn fib']);
    expect(toMarkdown(c)).toContain('## Assistant\n\nfn fib');
  });

  test('a file that is not an export is refused with a clear error', () => {
    expect(() => fromJson('nope')).toThrow(/not JSON/);
    expect(() => fromJson('{"a":1}')).toThrow(/not a Lite Coder conversation/);
    expect(() =>
      fromJson(
        JSON.stringify({
          format: 'lite-coder-conversation',
          version: 1,
          conversation: { nodes: { x: { id: 'y' } }, active: {} },
        }),
      ),
    ).toThrow(/damaged message/);
  });
});
