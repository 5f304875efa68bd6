// Input errors raised by the analysis layer. `field` names the offending argument so the tool can map the
// error to a clear message without parsing text.

export class SurdInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SurdInputError';
  }
}
