/**
 * Request errors named as web-llm names them, so code written against web-llm can tell them apart
 * (comlink carries an error's name and message across the worker boundary).
 */
function named(name: string) {
  return class extends Error {
    constructor(message: string) {
      super(message);
      this.name = name;
    }
  };
}

export const ModelNotFoundError = named('ModelNotFoundError');
export const ModelNotLoadedError = named('ModelNotLoadedError');
export const MessageOrderError = named('MessageOrderError');
export const SystemMessageOrderError = named('SystemMessageOrderError');
export const UnsupportedRoleError = named('UnsupportedRoleError');
export const ContentTypeError = named('ContentTypeError');
export const UnsupportedFieldsError = named('UnsupportedFieldsError');
export const ConfigValueError = named('ConfigValueError');
export const ContextWindowSizeExceededError = named('ContextWindowSizeExceededError');
export const DeviceLostError = named('DeviceLostError');
