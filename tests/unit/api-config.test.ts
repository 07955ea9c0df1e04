/** The in-page API's pure parts: ChatOptions, the prebuilt app config, finding a record's stored models. */
import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../workers/store/types';
import { prebuiltAppConfig, requireRecord } from '../../src/api/app-config';
import { storedFrom } from '../../src/api/cache';
import { readChatOptions, withDefaults } from '../../src/api/chat-options';
import { MODEL_FILE_BYTES, RESIDENT_WORKING_MARGIN } from '../../workers/device/requirements';

describe('readChatOptions', () => {
  it('takes context_window_size as the context, and temperature, top_p and the penalties as request defaults', () => {
    const opts = {
      context_window_size: 2048,
      temperature: 0.2,
      top_p: 0.9,
      repetition_penalty: 1.1,
      presence_penalty: 0,
    };
    const r = readChatOptions(opts, undefined);
    expect(r.load).toEqual({ contextLength: 2048 });
    expect(r.defaults).toEqual({ temperature: 0.2, top_p: 0.9, repetition_penalty: 1.1, presence_penalty: 0 });
  });

  it("lets the options win over a record's overrides, and keeps Lite Coder's own options", () => {
    const overrides = { temperature: 1, context_window_size: 4096 };
    const r = readChatOptions(
      { temperature: 0.5, expertBudgetMB: 2000, maxBatch: 32, ramTierMB: 0, kvType: 'F32' },
      overrides,
    );
    expect(r.load).toEqual({ contextLength: 4096, expertBudgetMB: 2000, maxBatch: 32, ramTierMB: 0, kvType: 'F32' });
    expect(r.defaults).toEqual({ temperature: 0.5 });
  });

  it('treats context_window_size -1 as unset, as web-llm does', () => {
    expect(readChatOptions({ context_window_size: -1 }, undefined).load).toEqual({});
  });

  it("refuses a sliding window (web-llm's UnsupportedFieldsError), and a context that is not a positive integer", () => {
    expect(() => readChatOptions({ sliding_window_size: 1024 }, undefined)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedFieldsError',
        message: 'The following fields in ChatOptions are not yet supported: \nsliding_window_size',
      }),
    );
    expect(() => readChatOptions({ sliding_window_size: -1 }, undefined)).not.toThrow();
    expect(() => readChatOptions({ context_window_size: 1.5 }, undefined)).toThrow(
      /context_window_size must be a positive integer, got 1\.5/,
    );
  });
});

describe('withDefaults', () => {
  it('fills fields the request leaves unset (undefined or null) and keeps the ones it sets', () => {
    const req = { messages: [], temperature: null, top_p: 0.5 };
    expect(withDefaults(req, { temperature: 0, top_p: 0.9, repetition_penalty: 1.2 })).toEqual({
      messages: [],
      temperature: 0,
      top_p: 0.5,
      repetition_penalty: 1.2,
    });
    expect(req.temperature).toBeNull(); // the caller's object is left alone
  });
});

describe('prebuiltAppConfig', () => {
  it('lists the common GGUF files of DeepSeek-Coder-V2-Lite-Instruct by readable ids', () => {
    const ids = prebuiltAppConfig.model_list.map((r) => r.model_id);
    const quants = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'IQ4_XS', 'Q3_K_L', 'Q3_K_M', 'Q2_K'];
    expect(ids).toEqual(quants.map((q) => `DeepSeek-Coder-V2-Lite-Instruct-${q}`));
    for (const r of prebuiltAppConfig.model_list) {
      const host = 'https://huggingface.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF/resolve/main/';
      expect(r.model).toBe(`${host}${r.model_id}.gguf`);
      expect(r.vram_required_MB).toBe(Math.round((r.file_size_bytes! + RESIDENT_WORKING_MARGIN) / 2 ** 20));
      expect(r.buffer_size_required_bytes).toBeGreaterThan(0);
    }
    // The Q4_K_M file's size is the one the device check counts with.
    const q4km = prebuiltAppConfig.model_list.find((r) => r.model_id === 'DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M');
    expect(q4km?.file_size_bytes).toBe(MODEL_FILE_BYTES);
    const sizes = prebuiltAppConfig.model_list.map((r) => r.file_size_bytes!);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
  });

  it("answers an unknown id with web-llm's ModelNotFoundError", () => {
    expect(() => requireRecord(prebuiltAppConfig, 'Llama-3.1-8B-Instruct-q4f32_1-MLC')).toThrow(
      expect.objectContaining({
        name: 'ModelNotFoundError',
        message: expect.stringMatching(
          /^Cannot find model record in appConfig for Llama-3\.1-8B-Instruct-q4f32_1-MLC\. /,
        ),
      }),
    );
  });
});

describe('storedFrom', () => {
  const model = (id: string, source: ModelSummary['source']) => ({ id, source }) as ModelSummary;
  it("finds the stored models imported from a URL: the file's, or any file's of a split model", () => {
    const models = [
      model('a', { kind: 'url', url: 'https://h/x.gguf', etag: null, lastModified: null, rangeSupported: true }),
      model('b', {
        kind: 'url',
        url: 'https://h/y-00001-of-00002.gguf',
        etag: null,
        lastModified: null,
        rangeSupported: true,
        shards: [
          { name: 'https://h/y-00001-of-00002.gguf', size: 1, etag: null },
          { name: 'https://h/y-00002-of-00002.gguf', size: 1, etag: null },
        ],
      }),
      model('c', { kind: 'file', name: 'x.gguf', lastModified: 0 }),
    ];
    expect(storedFrom(models, 'https://h/x.gguf').map((m) => m.id)).toEqual(['a']);
    expect(storedFrom(models, 'https://h/y-00002-of-00002.gguf').map((m) => m.id)).toEqual(['b']);
    expect(storedFrom(models, 'x.gguf')).toEqual([]);
  });
});
