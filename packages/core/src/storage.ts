/**
 * Resident tensor storage: inside `tidy(fn)`, float32 op outputs (activations, gradients, max-pool argmax) are
 * allocated in the active WebAssembly kernel set's memory instead of the JavaScript heap, so the kernels read and
 * write them in place (no copy in or out of wasm memory) and the next `tidy` reuses the same bytes (a warm training
 * step allocates no tensor memory). Everything allocated in a scope is released when the scope ends: the bump pointer
 * goes back to where the scope started and every tensor whose data lived there is marked released (reading its
 * `data` then throws a `TensorReleasedError` instead of returning bytes a later step overwrites).
 *
 * This file holds the scope stack and the allocation hook; `tidy` itself is in tidy.ts, the memory side in
 * kernels/wasm/arena.ts (`WasmArena` implements `ResidentStorage`).
 */
import { Hw3Error } from './errors';

/**
 * Memory that can hold tensor data for the kernels that own it (a WebAssembly kernel set's shared memory). A bump
 * allocator: `mark()` / `release(mark)` bracket a scope; views stay valid while the memory grows (shared memory).
 */
export interface ResidentStorage {
  /** The current top of the allocator. */
  mark(): number;
  /** Frees everything allocated since `mark` (the caller guarantees nothing reads it any more). */
  release(mark: number): void;
  /** A view of `length` float32 elements (unspecified contents), or null when the memory cannot grow that far. */
  allocF32(length: number): Float32Array | null;
  /** A view of `length` int32 elements (unspecified contents), or null when the memory cannot grow that far. */
  allocI32(length: number): Int32Array | null;
  /** The byte address of `view` in this memory, or −1 when `view` is not a view of it. */
  addressOf(view: ArrayBufferView): number;
}

/** Thrown when a tensor's data is read after the `tidy` scope that held its storage ended. */
export class TensorReleasedError extends Hw3Error {
  constructor(message: string) {
    super(message, 'TENSOR_RELEASED');
  }
}

/** What a tensor exposes to its scope: release() makes its `data` throw from then on. */
export interface Releasable {
  release(): void;
}

interface Scope {
  /** Each storage used in this scope and its mark when first used here. */
  readonly marks: Map<ResidentStorage, number>;
  /** Tensors whose data lives in memory allocated in this scope. */
  readonly tensors: Releasable[];
}

const scopes: Scope[] = [];
let storageOf: () => ResidentStorage | undefined = () => undefined;

/** Where resident allocations go: set once by the kernel registry (the active kernel set's storage, if any). */
export function setStorageSource(source: () => ResidentStorage | undefined): void {
  storageOf = source;
}

/** How many `tidy` scopes are open. */
export function scopeDepth(): number {
  return scopes.length;
}

/** Below this many elements an output stays on the JavaScript heap (a copy costs next to nothing there). */
export const MIN_RESIDENT = 1024;

function scopeStorage(): ResidentStorage | null {
  const storage = storageOf();
  if (storage === undefined) return null;
  const scope = scopes[scopes.length - 1];
  if (!scope.marks.has(storage)) scope.marks.set(storage, storage.mark());
  return storage;
}

/** Inside a scope with a resident storage: `length` float32 elements there (unspecified contents), else null. */
export function residentF32(length: number): Float32Array | null {
  if (scopes.length === 0 || length < MIN_RESIDENT) return null;
  return scopeStorage()?.allocF32(length) ?? null;
}

/** Inside a scope with a resident storage: `length` int32 elements there (unspecified contents), else null. */
export function residentI32(length: number): Int32Array | null {
  if (scopes.length === 0 || length < MIN_RESIDENT) return null;
  return scopeStorage()?.allocI32(length) ?? null;
}

/**
 * Called by the Tensor constructor: when `data` lives in memory allocated by an open scope, the tensor is released
 * with the innermost such scope. Returns whether it was registered (the data is scope-owned).
 */
export function registerResident(tensor: Releasable, data: ArrayBufferView): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    for (const [storage, mark] of scope.marks) {
      const address = storage.addressOf(data);
      if (address >= mark) {
        scope.tensors.push(tensor);
        return true;
      }
    }
  }
  return false;
}

/** Whether `data` lives in memory that the innermost open scope releases when it ends. */
export function ownedByInnermostScope(data: ArrayBufferView): boolean {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return false;
  for (const [storage, mark] of scope.marks) if (storage.addressOf(data) >= mark) return true;
  return false;
}

/** Opens a scope (tidy.ts). */
export function openScope(): void {
  scopes.push({ marks: new Map(), tensors: [] });
}

/** Closes the innermost scope: releases its tensors, then its memory. */
export function closeScope(): void {
  const scope = scopes.pop();
  if (scope === undefined) return;
  for (const t of scope.tensors) t.release();
  for (const [storage, mark] of scope.marks) storage.release(mark);
}
