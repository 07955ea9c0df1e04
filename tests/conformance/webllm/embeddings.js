// embeddings: a chat model has no embeddings; both entry points answer with web-llm's named error.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const engine = new webllm.MLCEngine({ appConfig });
  globalThis.engine = engine;
  const why = (p) => p.then(() => 'no error', (e) => `${e.name}: ${e.message}`);
  const documents = ['[CLS] The Data Cloud! [SEP]', '[CLS] Mexico City of Course! [SEP]'];
  const beforeLoad = await why(engine.embeddings.create({ input: documents }));
  await engine.reload(selectedModel);
  return {
    beforeLoad,
    create: await why(engine.embeddings.create({ input: documents })),
    embedding: await why(engine.embedding({ input: 'The Data Cloud!' })),
    otherModel: await why(engine.embeddings.create({ input: documents, model: 'snowflake-arctic-embed-m-q0f32-MLC-b4' })),
  };
}
