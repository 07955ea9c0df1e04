// A stateful logit processor, as in web-llm's logit-processor example: it makes one token the likeliest
// and records the tokens sampled.
export class MyLogitProcessor {
  constructor(favourite) {
    this.favourite = favourite;
    this.tokenSequence = [];
    this.calls = 0;
    this.resets = 0;
  }

  processLogits(logits) {
    this.calls++;
    logits[this.favourite] = 100.0;
    return logits;
  }

  processSampledToken(token) {
    this.tokenSequence.push(token);
  }

  resetState() {
    this.tokenSequence = [];
    this.resets++;
  }
}
