/** Why a model file was refused. The message is shown to the user as is, so it names the problem. */
export type ModelErrorCode =
  | 'not-gguf'
  | 'unsupported-version'
  | 'truncated'
  | 'bad-metadata'
  | 'bad-tensor-table'
  | 'unsupported-type'
  | 'wrong-architecture'
  | 'missing-metadata'
  | 'missing-tensor'
  | 'bad-shape'
  | 'bad-split';

export class ModelFormatError extends Error {
  /**
   * @param tensor the tensor the problem is about, when it is about one: a split model's import
   *   uses it to say which of its files holds that tensor
   */
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly tensor?: string,
  ) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/** Thrown by the parser when the bytes read so far end before the header does: read more and retry. */
export class NeedMoreBytes extends Error {
  constructor(readonly atLeast: number) {
    super(`need at least ${atLeast} bytes of header`);
  }
}
