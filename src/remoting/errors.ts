/** Failures of a remote call that callers (producers, consumers) catch and may retry. */
export class RemotingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemotingError";
  }
}

/** The connection could not be made within the timeout. */
export class RemotingConnectError extends RemotingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemotingConnectError";
  }
}

/** No response arrived within the call's timeout. */
export class RemotingTimeoutError extends RemotingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemotingTimeoutError";
  }
}

/** The connection closed (or was closed) before the response arrived. */
export class RemotingClosedError extends RemotingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemotingClosedError";
  }
}
