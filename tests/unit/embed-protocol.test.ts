import { describe, expect, it } from 'vitest';
import {
  allowedOrigins,
  envelope,
  parseHostMessage,
  ProtocolError,
  readSettings,
  settingsFromQuery,
} from '../../src/embed/protocol';

const msg = (m: Record<string, unknown>) => ({ protocol: 'lite-coder-embed', version: 1, ...m });
const refused = (data: unknown): ProtocolError => {
  try {
    parseHostMessage(data);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('host messages', () => {
  it('ignores what is not this protocol (other scripts share the channel)', () => {
    expect(parseHostMessage('hello')).toBeNull();
    expect(parseHostMessage({ type: 'prompt', text: 'x' })).toBeNull();
    expect(parseHostMessage(null)).toBeNull();
  });

  it('reads each message type', () => {
    expect(parseHostMessage(msg({ type: 'prompt', text: 'hi', id: 'a' }))).toEqual({
      type: 'prompt',
      text: 'hi',
      id: 'a',
    });
    expect(parseHostMessage(msg({ type: 'prompt', text: 'hi' }))).toEqual({ type: 'prompt', text: 'hi' });
    expect(parseHostMessage(msg({ type: 'set-system-prompt', text: '' }))).toEqual({
      type: 'set-system-prompt',
      text: '',
    });
    expect(
      parseHostMessage(msg({ type: 'set-settings', settings: { temperature: 0.5, artifacts: false, seed: 3 } })),
    ).toEqual({ type: 'set-settings', settings: { temperature: 0.5, artifacts: false, seed: 3 } });
    expect(parseHostMessage(msg({ type: 'stop', extra: 1 }))).toEqual({ type: 'stop' });
    expect(parseHostMessage(msg({ type: 'new-chat' }))).toEqual({ type: 'new-chat' });
  });

  it('refuses a wrong message with a code and a reason', () => {
    expect(refused(msg({ version: 2, type: 'stop' }))).toMatchObject({
      code: 'unsupported-version',
      message: expect.stringContaining('version 1'),
    });
    expect(refused(msg({ type: 'prompt', text: '   ' }))).toMatchObject({ code: 'bad-message' });
    expect(refused(msg({ type: 'prompt', text: 'x', id: 4 }))).toMatchObject({ code: 'bad-message' });
    expect(refused(msg({ type: 'launch' }))).toMatchObject({
      code: 'bad-message',
      message: 'Unknown message type "launch".',
    });
    expect(refused(msg({ type: 'set-settings', settings: { temprature: 1 } }))).toMatchObject({
      code: 'invalid-settings',
      message: 'Unknown setting: temprature.',
    });
    expect(refused(msg({ type: 'set-settings', settings: { top_p: 2 } }))).toMatchObject({
      code: 'invalid-settings',
      message: expect.stringContaining('top_p must be a number from 0 to 1'),
    });
  });
});

describe('settings', () => {
  it('reads every setting from strings', () => {
    expect(
      readSettings({
        systemPrompt: 'Be brief.',
        greeting: 'Hi',
        theme: 'dark',
        lang: 'zh',
        artifacts: 'off',
        temperature: '0',
        top_p: '0.9',
        max_tokens: '256',
        seed: '42',
      }),
    ).toEqual({
      settings: {
        systemPrompt: 'Be brief.',
        greeting: 'Hi',
        theme: 'dark',
        lang: 'zh',
        artifacts: false,
        temperature: 0,
        top_p: 0.9,
        max_tokens: 256,
        seed: 42,
      },
      problems: [],
    });
    expect(readSettings({ artifacts: 'YES', seed: 'random' }).settings).toEqual({ artifacts: true, seed: null });
  });

  it('leaves a bad value out and names it', () => {
    const r = readSettings({
      theme: 'neon',
      temperature: 'hot',
      max_tokens: '1.5',
      seed: '-1',
      artifacts: 'maybe',
      lang: 'fr',
    });
    expect(r.settings).toEqual({});
    expect(r.problems).toEqual([
      'theme must be one of auto, light, dark, not "neon".',
      'lang must be one of auto, en, zh, not "fr".',
      'artifacts must be on or off, not "maybe".',
      'temperature must be a number from 0 to 2, not "hot".',
      'max_tokens must be an integer from 1 to 1048576, not "1.5".',
      'seed must be a non-negative integer or "random", not "-1".',
    ]);
  });

  it('takes `system` as the short query name of the system prompt', () => {
    expect(settingsFromQuery(new URLSearchParams('system=Be%20kind&theme=light&origins=x')).settings).toEqual({
      systemPrompt: 'Be kind',
      theme: 'light',
    });
    expect(settingsFromQuery(new URLSearchParams('system=a&systemPrompt=b')).settings).toEqual({ systemPrompt: 'b' });
  });

  it('reads a server endpoint and model; an API key only from a message, never from the address', () => {
    const q = settingsFromQuery(
      new URLSearchParams('endpoint=http%3A%2F%2Flocalhost%3A11434%2Fv1&model=qwen&apiKey=sk-1'),
    );
    expect(q.settings).toEqual({ endpoint: 'http://localhost:11434/v1', model: 'qwen' });
    expect(q.problems).toEqual([
      'apiKey is not read from the address (addresses end up in logs and history): send it with set-settings.',
    ]);
    expect(
      parseHostMessage(
        envelope({ type: 'set-settings', settings: { endpoint: 'https://api.example.com/v1', apiKey: ' sk-2 ' } }),
      ),
    ).toEqual({ type: 'set-settings', settings: { endpoint: 'https://api.example.com/v1', apiKey: 'sk-2' } });
    // empty: back to this device
    expect(readSettings({ endpoint: '' }).settings).toEqual({ endpoint: '' });
    for (const bad of ['javascript:alert(1)', 'localhost:11434', 'ftp://x/v1']) {
      expect(readSettings({ endpoint: bad }).problems).toEqual([
        `endpoint must be an http: or https: address (or empty for this device), not ${JSON.stringify(bad)}.`,
      ]);
    }
  });
});

describe('allowed origins', () => {
  it('uses the listed origins, normalised, else the embedding page', () => {
    expect(
      allowedOrigins(
        new URLSearchParams('origins=https://a.example/path,https://b.example:8443,bogus'),
        'https://ignored.example',
      ),
    ).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(allowedOrigins(new URLSearchParams(''), 'https://host.example/page?x')).toEqual(['https://host.example']);
    expect(allowedOrigins(new URLSearchParams(''), undefined)).toEqual([]);
    expect(allowedOrigins(new URLSearchParams('origins=null'), 'about:blank')).toEqual([]);
  });
});
