/**
 * The errors the engine surface raises on the page, worded as @mlc-ai/web-llm words them (its
 * src/error.ts), so code that reads `name` or matches a message's start behaves the same. The classes
 * live with every other error in workers/errors.ts.
 */
import {
  EmbeddingUnsupportedModelError,
  FeatureSupportError,
  IncorrectPipelineLoadedError,
  ModelNotFoundError,
  ModelNotLoadedError,
  MultipleModelsUnsupportedError,
  NonWorkerEnvironmentError,
  NoServiceWorkerAPIError,
  ReloadArgumentSizeUnmatchedError,
  ReloadModelIdNotUniqueError,
  ServiceWorkerInitializationError,
  ShaderF16SupportError,
  SpecifiedModelNotFoundError,
  UnclearModelToUseError,
  UnsupportedFieldsError,
  WebGPUNotAvailableError,
  WorkerEngineModelNotLoadedError,
} from '../../workers/errors';

/** A model id that is neither in the app config nor a stored model's id. */
export const modelRecordNotFound = (modelId: string): Error =>
  new ModelNotFoundError(
    `Cannot find model record in appConfig for ${modelId}. Please check if the model ID is correct and included in the ` +
      'model_list configuration (or use the id of a stored model, from engine.models.list()).',
  );

/** A request (named as web-llm names it, e.g. "ChatCompletionRequest") with no model loaded. */
export const modelNotLoaded = (requestName: string): Error =>
  new ModelNotLoadedError(
    `Model not loaded before trying to complete ${requestName}. Please ensure you have called MLCEngine.reload(model) to load ` +
      'the model before initiating APIs, or initialize your engine using CreateMLCEngine() with a valid model configuration.',
  );

/** A worker-backed engine (WebWorkerMLCEngine, ServiceWorkerMLCEngine) asked for a completion before reload(). */
export const workerEngineModelNotLoaded = (engineName: string): Error =>
  new WorkerEngineModelNotLoadedError(`${engineName} is not loaded with a model. Did you call \`engine.reload()\`?`);

export const specifiedModelNotFound = (loaded: readonly string[], requested: string, requestName: string): Error =>
  new SpecifiedModelNotFoundError(
    `Specified model ${requested} for ${requestName} is not found in loaded models. Please check ` +
      `if the correct model is loaded/specified. Currently loaded models are:\n${loaded.join(',')}`,
  );

export const unclearModelToUse = (loaded: readonly string[], requestName: string): Error =>
  new UnclearModelToUseError(
    `Multiple models are loaded in engine. Please specify the model in ${requestName}.\n` +
      `Currently loaded models are:\n${loaded.join(',')}`,
  );

/**
 * embeddings.create with a chat model loaded: web-llm finds an LLM pipeline where it needs an
 * embedding one. DeepSeek-Coder-V2-Lite has no embedding head, so this is every embeddings call here.
 */
export const notAnEmbeddingModel = (modelId: string): Error =>
  new IncorrectPipelineLoadedError(
    `EmbeddingCreateParams expects model to be loaded with EmbeddingPipeline. However, ${modelId} is not loaded with this pipeline.`,
  );

/** A model record that declares itself an embedding model (ModelType.embedding): this engine runs none. */
export const embeddingModelUnsupported = (modelId: string): Error =>
  new EmbeddingUnsupportedModelError(
    `Trying to run embeddings.create() with ${modelId}, which does not have ModelRecord.model_type === ModelType.embedding in ` +
      'the model record. Either make sure an embedding model is loaded, or specify the model type in ModelRecord. ' +
      '(Lite Coder runs no embedding model.)',
  );

export const reloadArgumentSizeUnmatched = (ids: number, opts: number): Error =>
  new ReloadArgumentSizeUnmatchedError(
    `Expect chatOpts, if specified, to match the size of modelId. However, got ${ids} modelId, but ${opts} chatOpts.`,
  );

export const reloadModelIdNotUnique = (ids: readonly string[]): Error =>
  new ReloadModelIdNotUniqueError(
    'Need to make models in modelId passed to reload() need to be unique. If you want to, load copies of the same model, ' +
      `consider making copies of the ModelRecord with different model_id. Received modelId: ${ids.join(',')}`,
  );

export const multipleModelsUnsupported = (ids: readonly string[]): Error =>
  new MultipleModelsUnsupportedError(
    `Lite Coder holds one model on the GPU at a time, but reload() was given ${ids.length}: ${ids.join(', ')}.`,
  );

export const featureUnsupported = (feature: string): Error =>
  feature === 'shader-f16'
    ? new ShaderF16SupportError(
        'This model requires WebGPU extension shader-f16, which is not enabled in this browser.',
      )
    : new FeatureSupportError(`This model requires feature ${feature}, which is not yet supported by this browser.`);

export const webGpuNotAvailable = (): Error =>
  new WebGPUNotAvailableError(
    'WebGPU is not supported in your current environment, but it is necessary to run the engine. Please make sure that ' +
      'your browser supports WebGPU and that it is enabled in your browser settings.',
  );

/** web-llm's UnsupportedFieldsError wording: the fields of `target` (e.g. "ChatOptions") this engine does not take. */
export const unsupportedFields = (fields: readonly string[], target: string): Error =>
  new UnsupportedFieldsError(`The following fields in ${target} are not yet supported: \n${fields.join(', ')}`);

export const noServiceWorkerApi = (): Error =>
  new NoServiceWorkerAPIError(
    'Service worker API is not available in your browser. Please ensure that your browser supports service workers and that ' +
      'you are using a secure context (HTTPS).',
  );

export const serviceWorkerNotActive = (): Error =>
  new ServiceWorkerInitializationError(
    'Service worker failed to initialize. This could be due to a failure in the service worker registration process or because ' +
      'the service worker is not active. Please refresh the page to retry initializing the service worker.',
  );

export const notInWorker = (className: string): Error =>
  new NonWorkerEnvironmentError(`${className} must be created in the service worker script.`);
