import type { RecordKey } from './types';

export function denseKey(modelId: string, tensor: string, chunk: number): RecordKey {
  return [modelId, 'd', tensor, chunk];
}

export function expertKey(modelId: string, layer: number, expert: number): RecordKey {
  return [modelId, 'x', layer, expert];
}

/** All keys of one model: arrays sort element by element, and an array sorts after any string. */
export function modelKeyRange(modelId: string): IDBKeyRange {
  return IDBKeyRange.bound([modelId], [modelId, []]);
}

export function keyString(key: RecordKey): string {
  return key.join('/');
}
