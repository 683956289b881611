/**
 * Every error this package throws extends {@link ParallelEvmError}: a stable `code` to match on,
 * a short message, and the underlying `cause` when there is one. Native failures arrive as plain
 * errors carrying a `code` string and are mapped here to the matching class.
 */

export type ErrorCode =
  | "ERR_INVALID_ARGUMENT"
  | "ERR_DETACHED_BUFFER"
  | "ERR_OUT_OF_MEMORY"
  | "ERR_INTERNAL"
  | "ERR_ADDON_LOAD"
  | "ERR_DECODE"
  | "ERR_INVALID_TRANSACTION"
  | "ERR_MISSING_STATE"
  | "ERR_INVALID_BLOCK"
  | "ERR_VM_LOAD";

export interface ErrorOptions {
  cause?: unknown;
  details?: string;
}

export class ParallelEvmError extends Error {
  override readonly name: string = "ParallelEvmError";
  readonly code: ErrorCode;
  readonly details: string | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** An argument has the wrong type, range or shape. */
export class InvalidArgumentError extends ParallelEvmError {
  override readonly name = "InvalidArgumentError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_INVALID_ARGUMENT", message, options);
  }
}

/** A buffer handed to the native side was detached (transferred) before the call. */
export class DetachedBufferError extends ParallelEvmError {
  override readonly name = "DetachedBufferError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DETACHED_BUFFER", message, options);
  }
}

/** Native code could not allocate memory. The process is still usable. */
export class OutOfMemoryError extends ParallelEvmError {
  override readonly name = "OutOfMemoryError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_OUT_OF_MEMORY", message, options);
  }
}

/** A bug or unexpected condition in native code, reported instead of crashing. */
export class InternalError extends ParallelEvmError {
  override readonly name = "InternalError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_INTERNAL", message, options);
  }
}

/** The native addon could not be found or loaded for this platform. */
export class AddonLoadError extends ParallelEvmError {
  override readonly name = "AddonLoadError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_ADDON_LOAD", message, options);
  }
}

/** Input data (JSON, hex, RLP) is malformed. */
export class DecodeError extends ParallelEvmError {
  override readonly name = "DecodeError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_DECODE", message, options);
  }
}

/** A transaction is not valid for the block it is in (nonce, balance, fees, gas, type). */
export class InvalidTransactionError extends ParallelEvmError {
  override readonly name = "InvalidTransactionError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_INVALID_TRANSACTION", message, options);
  }
}

/** Execution needed an account, storage slot or code that the pre-state does not contain. */
export class MissingStateError extends ParallelEvmError {
  override readonly name = "MissingStateError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_MISSING_STATE", message, options);
  }
}

/** A block breaks a block-level rule (header fields, system contracts, requests, roots). */
export class InvalidBlockError extends ParallelEvmError {
  override readonly name = "InvalidBlockError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_INVALID_BLOCK", message, options);
  }
}

/** An external EVMC VM shared library could not be loaded. */
export class VmLoadError extends ParallelEvmError {
  override readonly name = "VmLoadError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_VM_LOAD", message, options);
  }
}

const byCode: Record<ErrorCode, new (message: string, options?: ErrorOptions) => ParallelEvmError> = {
  ERR_INVALID_ARGUMENT: InvalidArgumentError,
  ERR_DETACHED_BUFFER: DetachedBufferError,
  ERR_OUT_OF_MEMORY: OutOfMemoryError,
  ERR_INTERNAL: InternalError,
  ERR_ADDON_LOAD: AddonLoadError,
  ERR_DECODE: DecodeError,
  ERR_INVALID_TRANSACTION: InvalidTransactionError,
  ERR_MISSING_STATE: MissingStateError,
  ERR_INVALID_BLOCK: InvalidBlockError,
  ERR_VM_LOAD: VmLoadError,
};

/** Maps an error thrown by the addon (or by Node-API itself) to a typed error. */
export function fromNativeError(err: unknown): ParallelEvmError {
  if (err instanceof ParallelEvmError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === "string" && code in byCode) {
    return new byCode[code as ErrorCode](message, { cause: err });
  }
  // Node-API's own argument checks (e.g. a wrong type caught before our code runs).
  if (err instanceof TypeError) return new InvalidArgumentError(message, { cause: err });
  return new InternalError(message, { cause: err });
}

/** Runs a native call and rethrows its failure as a typed error. */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromNativeError(err);
  }
}

/** Awaits a native promise and rethrows its rejection as a typed error. */
export async function awaitNative<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw fromNativeError(err);
  }
}
