/**
 * Every error the engine worker raises on purpose, in one module. Request errors carry web-llm's
 * names (src/error.ts of @mlc-ai/web-llm), so code written against web-llm can tell them apart;
 * the others name the part that failed (the store, the GPU).
 *
 * Across the worker boundary comlink carries an error's name, message and stack; with
 * `installErrorTransfer` (called on both sides) it also carries `details`, the structured facts an
 * error holds for the UI (for example the prompt's length and the context's size).
 */
import type * as ComlinkModule from 'comlink';
import type { ErrorCode as ProtocolErrorCode } from '../src/embed/protocol';

/** Facts an error carries for the code that catches it (structured-cloneable). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean>>;

/** An Error with the facts `details` (the class `named` returns). */
export type NamedError<D extends ErrorDetails = ErrorDetails> = Error & { readonly details?: D | undefined };

/**
 * The class `named` returns. Declared rather than inferred, so that the published types
 * (dist/lite-coder.d.ts) do not copy in the statics of the host's ErrorConstructor (Node's
 * captureStackTrace and NodeJS.CallSite), which a browser program's compiler does not know.
 */
export interface NamedErrorClass<D extends ErrorDetails = ErrorDetails> {
  new (message: string, details?: D): NamedError<D>;
  readonly prototype: NamedError<D>;
}

/** An error class whose instances are named `name`. */
export function named<D extends ErrorDetails = ErrorDetails>(name: string): NamedErrorClass<D> {
  return class extends Error {
    constructor(
      message: string,
      readonly details?: D,
    ) {
      super(message);
      this.name = name;
    }
  };
}

// --- requests (web-llm's names) ---
export const ModelNotFoundError = named('ModelNotFoundError');
export const ModelNotLoadedError = named('ModelNotLoadedError');
export const MessageOrderError = named('MessageOrderError');
export const SystemMessageOrderError = named('SystemMessageOrderError');
export const UnsupportedRoleError = named('UnsupportedRoleError');
export const ContentTypeError = named('ContentTypeError');
export const UnsupportedFieldsError = named('UnsupportedFieldsError');
export const ConfigValueError = named('ConfigValueError');
/** web-llm's MinValueError: a value must be above a minimum ("Make sure `max_tokens` > 0."). */
export const MinValueError = named('MinValueError');
export const NonNegativeError = named('NonNegativeError');
/** web-llm's RangeError (a ConfigValueError there, not the global RangeError): "Make sure 0 < top_p <= 1." */
export const ValueRangeError = named('RangeError');
export const SeedTypeError = named('SeedTypeError');
export const InvalidStreamOptionsError = named('InvalidStreamOptionsError');
export const StreamingCountError = named('StreamingCountError');
export const DependencyError = named('DependencyError');
export const InvalidNumberStringError = named('InvalidNumberStringError');
export const InvalidResponseFormatError = named('InvalidResponseFormatError');
export const InvalidResponseFormatGrammarError = named('InvalidResponseFormatGrammarError');
export const InvalidResponseFormatStructuralTagError = named('InvalidResponseFormatStructuralTagError');
/** web-llm's answer to `tools` for a model that is not in its function-calling list. */
export const UnsupportedModelIdError = named('UnsupportedModelIdError');
/** A grammar (response_format) that could not be compiled. */
export const GrammarMatcherInitError = named('GrammarMatcherInitError');
/** details: { promptTokens, contextLength } */
export const ContextWindowSizeExceededError = named<{ promptTokens: number; contextLength: number }>(
  'ContextWindowSizeExceededError',
);
export const DeviceLostError = named('DeviceLostError');

// --- the engine surface (src/api, on the page): web-llm's names; src/api/errors.ts words them as web-llm does ---
export const SpecifiedModelNotFoundError = named('SpecifiedModelNotFoundError');
export const UnclearModelToUseError = named('UnclearModelToUseError');
export const WorkerEngineModelNotLoadedError = named('WorkerEngineModelNotLoadedError');
export const IncorrectPipelineLoadedError = named('IncorrectPipelineLoadedError');
export const EmbeddingUnsupportedModelError = named('EmbeddingUnsupportedModelError');
export const ReloadArgumentSizeUnmatchedError = named('ReloadArgumentSizeUnmatchedError');
export const ReloadModelIdNotUniqueError = named('ReloadModelIdNotUniqueError');
export const FeatureSupportError = named('FeatureSupportError');
export const ShaderF16SupportError = named('ShaderF16SupportError');
export const WebGPUNotAvailableError = named('WebGPUNotAvailableError');
export const NoServiceWorkerAPIError = named('NoServiceWorkerAPIError');
export const ServiceWorkerInitializationError = named('ServiceWorkerInitializationError');
export const NonWorkerEnvironmentError = named('NonWorkerEnvironmentError');
/** Not in web-llm, which can hold several models: this engine holds one model at a time. */
export const MultipleModelsUnsupportedError = named('MultipleModelsUnsupportedError');
/** The engine's connection to its service worker broke (the browser stopped the worker mid-call). */
export const ServiceWorkerRestartedError = named('ServiceWorkerRestartedError');

/** The prompt does not fit the context: the error names both numbers, and carries them for the UI. */
export function contextExceeded(promptTokens: number, contextLength: number): Error {
  return new ContextWindowSizeExceededError(
    `The prompt is ${promptTokens} tokens, but the context on this device holds ${contextLength}.`,
    { promptTokens, contextLength },
  );
}

// --- the runtime ---
/** A store record the runtime needs is missing or cannot be read. */
export const StoreReadError = named('StoreReadError');
/** No WebGPU, no adapter, or no device. */
export const GpuError = named('GpuError');
/** A load cancelled by a later load or unload, or a request queued before one (the DOM's name for it). */
export const AbortError = named('AbortError');
/** The engine was asked to do something its state does not allow (e.g. switch stores with a model loaded). */
export const EngineStateError = named('EngineStateError');

/**
 * Makes comlink carry `details` of thrown errors across the worker boundary as well as their name,
 * message and stack. Call it once on each side (the worker and every page that talks to it).
 */
export function installErrorTransfer(comlink: typeof ComlinkModule): void {
  const base = comlink.transferHandlers.get('throw');
  if (!base || (base as { liteCoder?: boolean }).liteCoder) return;
  const handler: ComlinkModule.TransferHandler<unknown, unknown> & { liteCoder: true } = {
    liteCoder: true,
    canHandle: (v): v is unknown => base.canHandle(v),
    serialize(thrown) {
      const [serialized, transfer] = base.serialize(thrown);
      const error = (thrown as { value?: unknown }).value;
      if (error instanceof Error && 'details' in error && error.details !== undefined) {
        (serialized as { value: Record<string, unknown> }).value.details = error.details;
      }
      return [serialized, transfer];
    },
    deserialize: (s) => base.deserialize(s),
  };
  comlink.transferHandlers.set('throw', handler);
}

// --- the model store and its files ---
/** Why a model file was refused (ModelFormatError). The message is shown to the user as is, so it names the problem. */
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

/** An import that failed; `resumable`: what it stored is kept, and importing the same file again resumes. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly resumable: boolean,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The file could not be read: the network, the server or the local file failed. */
export class SourceError extends Error {
  /** @param status the HTTP status that caused it, if one did */
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

// --- the widget's postMessage protocol (src/embed/protocol.ts) ---

/** A host's message the widget refuses; `code` goes back to the host in the error message. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
