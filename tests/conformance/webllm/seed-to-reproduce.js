// seed-to-reproduce: the same seed at a high temperature gives the same reply; another seed another one.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const engine = await webllm.CreateMLCEngine(selectedModel, { appConfig });
  globalThis.engine = engine;
  const request = {
    stream: false,
    messages: [{ role: 'user', content: 'Write a creative Haiku about Pittsburgh' }],
    n: 3,
    temperature: 1.2,
    max_tokens: 24,
    seed: 42,
  };
  const reply0 = await engine.chat.completions.create(request);
  const message0 = await engine.getMessage();
  const reply1 = await engine.chat.completions.create(request);
  for (let i = 0; i < 3; i++) {
    if (reply0.choices[i].message.content !== reply1.choices[i].message.content) {
      throw Error('The two generations are different despite seeding');
    }
  }
  // Streamed with the same seed (one choice: web-llm streams no more): the first choice again.
  let streamed = '';
  for await (const c of await engine.chat.completions.create({ ...request, n: 1, stream: true })) streamed += c.choices[0]?.delta.content || '';
  const others = [];
  for (const seed of [1, 2, 3]) others.push((await engine.chat.completions.create({ ...request, n: 1, seed })).choices[0].message.content);
  return {
    first: reply0.choices[0].message.content, second: reply1.choices[0].message.content, message0, streamed, others,
    choices: reply0.choices.map((c) => c.message.content),
  };
}
